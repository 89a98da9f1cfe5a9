"""Notifications, the mail outbox, preferences and addresses, and the reminders already given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nbcampus.school.core.api import Base, UTCDateTime, utcnow

FEEDBACK_RELEASED = "feedback_released"
GRADE_CHANGED = "grade_changed"
CERTIFICATE_ISSUED = "certificate_issued"
DEADLINE_REMINDER = "deadline_reminder"
DEADLINE_EXTENDED = "deadline_extended"
ANNOUNCEMENT = "announcement"
REPLY = "reply"
MENTION = "mention"
PRIVATE_ANSWER = "private_answer"
SESSION_STARTING = "session_starting"
NUDGE = "nudge"

#: every kind of notification, in the order the preferences list them
KINDS = (
    FEEDBACK_RELEASED,
    GRADE_CHANGED,
    CERTIFICATE_ISSUED,
    DEADLINE_REMINDER,
    DEADLINE_EXTENDED,
    ANNOUNCEMENT,
    REPLY,
    MENTION,
    PRIVATE_ANSWER,
    SESSION_STARTING,
    NUDGE,
)

# what becomes of a notification's e-mail
MAIL_NONE = "none"  # the learner does not want it by mail (or the school sends no mail)
MAIL_PENDING = "pending"  # waiting to be put in a mail (single, or the next digest)
MAIL_QUEUED = "queued"  # in the outbox (mail_id)
MAIL_NO_ADDRESS = "no-address"  # wanted, but the school has no address for the learner

# the outbox's states
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"

# digests
SINGLE, DAILY, WEEKLY = "single", "daily", "weekly"
DIGESTS = (SINGLE, DAILY, WEEKLY)


class Notification(Base):
    """One thing one learner is told about, in one course."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_inbox", "username", "in_lab", "id"),
        Index("ix_notifications_mail", "mail_state", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    course_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: plain text, never HTML: clients show it as text
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: a path in the school (below the hub), e.g. /services/nbcampus/courses/x/discussion/3
    link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: shown in the lab (the learner's lab preference for this kind)
    in_lab: Mapped[bool] = mapped_column(Boolean, default=True)
    mail_state: Mapped[str] = mapped_column(String(16), default=MAIL_NONE)
    mail_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Mail(Base):
    """One e-mail in the outbox, sent by the sender worker under a lease."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    #: plain text
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Preference(Base):
    """A learner's choice for one kind in one course: shown in the lab, sent by mail."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("username", "course_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    lab: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class MailProfile(Base):
    """A learner's address and how they take their mail (single mails or a digest)."""

    __tablename__ = "mail_profiles"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: the hub's (when its authenticator gives one), else the learner's own
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    email_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # hub | profile
    #: when the learner confirmed their own address (a hub address needs no confirmation)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    digest: Mapped[str] = mapped_column(String(16), default=SINGLE)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Reminder(Base):
    """A reminder given: never twice for one learner, item and offset (a deadline's item, or a
    live session's ``live-session-<id>`` with its lead time as the offset)."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (UniqueConstraint("course_id", "username", "item_id", "offset_minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    item_id: Mapped[str] = mapped_column(String(64))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: given (a notification) or skipped (a nearer offset was given instead)
    notified: Mapped[bool] = mapped_column(Boolean, default=True)


#: the rule of a message staff wrote to learners themselves (the others: the course file's)
STAFF_MESSAGE = "message"


class Nudge(Base):
    """A nudge given to one learner: by a rule of the course file, once per rule and occasion
    (the missed item, the module not started, the day activity stopped), or a message from
    staff (``rule`` ``message``, ``sent_by`` its author, a new occasion each time)."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("course_id", "username", "rule", "occasion"),
        Index("ix_nudges_course_created", "course_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(255))
    rule: Mapped[str] = mapped_column(String(32))
    occasion: Mapped[str] = mapped_column(String(128))
    #: what the learner was told (the notification's title)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
