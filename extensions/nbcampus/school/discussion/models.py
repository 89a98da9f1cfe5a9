"""Discussions: threads of a course, their posts (opening post, replies, comments under
replies), edit history, votes, flags, follows, read marks, mentions and mutes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

QUESTION, DISCUSSION = "question", "discussion"
KINDS = (QUESTION, DISCUSSION)
#: a post's depth: the thread's opening post, a reply to it, a comment under a reply
OPENING, REPLY, COMMENT = 0, 1, 2


class Thread(Base):
    """One thread of a course, placed on the whole course, a module or one item.

    ``cohort_id`` is the author's cohort (None: course-wide, as staff threads are); where
    discussions are divided, a learner sees the threads of their cohort and the course-wide ones.
    A ``private`` thread is seen by its author and the course staff only.

    The counts and ``last_post_id`` repeat what the thread's posts say, so that a listing reads
    one row per thread: ``write_post`` and ``moderation.hide`` keep them, in the transaction
    that changes the posts.
    """

    __tablename__ = "discussion_threads"
    # a listing walks one of these in its order (pinned first, then latest activity) and stops
    # at the page's end: the whole course, one module, or one item
    __table_args__ = (
        Index(
            "ix_discussion_threads_course_order", "course_id", "pinned", "last_activity_at", "id"
        ),
        Index(
            "ix_discussion_threads_module_order",
            "course_id",
            "module_id",
            "pinned",
            "last_activity_at",
            "id",
        ),
        Index(
            "ix_discussion_threads_item_order",
            "course_id",
            "item_id",
            "pinned",
            "last_activity_at",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    module_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    item_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the first visible reply by someone other than the author (time to first answer)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_post_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: a read-only snapshot of the notebook cell the question is about (cells.snapshot)
    cell: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: replies and comments, hidden ones included (what staff count)
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: replies and comments not hidden (what learners count)
    visible_reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the thread's latest post, hidden or not (read up to it: nothing unread)
    last_post_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the opening post is hidden: learners do not see the thread
    opening_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Post(Base):
    """The opening post of a thread (depth 0), a reply (1) or a comment under a reply (2).

    ``body`` is the markdown as written, ``html`` its sanitised rendering. A hidden post is kept
    (and shown to staff); learners never receive it.
    """

    __tablename__ = "discussion_posts"
    __table_args__ = (
        Index("ix_discussion_posts_thread", "thread_id", "id"),
        Index("ix_discussion_posts_course_author", "course_id", "author", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id"))
    course_id: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_posts.id"), nullable=True)
    depth: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    hide_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PostEdit(Base):
    """The text a post (and, for an opening post, its thread's title) had before one edit."""

    __tablename__ = "discussion_post_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id"), index=True)
    edited_by: Mapped[str] = mapped_column(String(255))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)


class Vote(Base):
    """One member's vote (+1 or -1) on a post."""

    __tablename__ = "discussion_votes"
    __table_args__ = (UniqueConstraint("post_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id"))
    username: Mapped[str] = mapped_column(String(255))
    value: Mapped[int] = mapped_column(Integer)


class Flag(Base):
    """A member's report of a post for abuse (one per member and post)."""

    __tablename__ = "discussion_flags"
    __table_args__ = (UniqueConstraint("post_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id"))
    username: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follow(Base):
    """A member follows a thread (its author does from the start)."""

    __tablename__ = "discussion_follows"
    __table_args__ = (UniqueConstraint("thread_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id"))
    username: Mapped[str] = mapped_column(String(255))


class ReadMark(Base):
    """The last post of a thread a member has read: later visible posts are unread."""

    __tablename__ = "discussion_reads"
    __table_args__ = (
        UniqueConstraint("thread_id", "username"),
        Index("ix_discussion_reads_username", "username", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id"))
    username: Mapped[str] = mapped_column(String(255))
    last_post_id: Mapped[int] = mapped_column(Integer)


class Mention(Base):
    """An @mention of a course member in a post."""

    __tablename__ = "discussion_mentions"
    __table_args__ = (
        UniqueConstraint("post_id", "username"),
        Index("ix_discussion_mentions_course_username", "course_id", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id"))
    course_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))


class Mute(Base):
    """A member may not post in a course until ``until``."""

    __tablename__ = "discussion_mutes"
    __table_args__ = (Index("ix_discussion_mutes_course_username", "course_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    username: Mapped[str] = mapped_column(String(255))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    muted_by: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    muted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Base):
    """A message from staff to a course, or to one cohort of it, shown at the top of the course."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_course_created", "course_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LiveSession(Base):
    """A live session (class, coaching, office hours) of a course or one cohort, at a time."""

    __tablename__ = "live_sessions"
    __table_args__ = (Index("ix_live_sessions_course_starts", "course_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    meeting_url: Mapped[str] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarKey(Base):
    """The key of one person's calendar feed: only its SHA-256 is kept, so the database does
    not hold the URLs; a new key replaces the old one."""

    __tablename__ = "calendar_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(Base):
    """A learner attended a live session, as staff recorded it."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    username: Mapped[str] = mapped_column(String(255))
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
