"""Moderation and the limits on posting: mute, hide, flag, pin and close; rate limits.

Every moderation act is audited (core's ``audit``) with who, on what and why. A hidden post is
kept: staff still see it, learners never receive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, Conflict, Forbidden, audit, utcnow
from nbcampus.school.discussion.members import Viewer
from nbcampus.school.discussion.models import OPENING, REPLY, Flag, Mute, Post, Thread

MAX_MUTE_DAYS = 366


@dataclass(frozen=True)
class RateLimit:
    """At most ``posts`` posts (threads and replies) per member and course in ``seconds``."""

    posts: int = 10
    seconds: int = 60


DEFAULT_RATE_LIMIT = RateLimit()


class TooManyPosts(CampusError):
    status = 429


def muted_until(session: Session, course_id: str, username: str) -> datetime | None:
    """When the member's current mute in the course ends (None: not muted)."""
    return session.scalar(
        select(func.max(Mute.until)).where(
            Mute.course_id == course_id, Mute.username == username, Mute.until > utcnow()
        )
    )


def check_may_post(session: Session, who: Viewer, limit: RateLimit = DEFAULT_RATE_LIMIT) -> None:
    """Forbidden while muted; TooManyPosts (429) beyond the rate limit (moderators have none)."""
    until = muted_until(session, who.course_id, who.username)
    if until is not None:
        raise Forbidden(
            f"{who.username} is muted in course {who.course_id!r} until {until.isoformat()}"
        )
    if who.moderator:
        return
    since = utcnow() - timedelta(seconds=limit.seconds)
    recent = session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.course_id == who.course_id, Post.author == who.username, Post.created_at > since
        )
    )
    if recent >= limit.posts:
        raise TooManyPosts(
            f"posting too fast: at most {limit.posts} posts in {limit.seconds} s "
            f"in course {who.course_id!r}"
        )


def require_moderator(who: Viewer, act: str) -> None:
    if not who.moderator:
        raise Forbidden(f"only mentors and staff may {act} in course {who.course_id!r}")


def mute(session: Session, who: Viewer, username: str, minutes: int, reason: str) -> Mute:
    """Mute ``username`` in the course for ``minutes`` (audited)."""
    require_moderator(who, "mute members")
    if username == who.username:
        raise CampusError("username: you may not mute yourself")
    if not 1 <= minutes <= MAX_MUTE_DAYS * 24 * 60:
        raise CampusError(f"minutes: between 1 and {MAX_MUTE_DAYS * 24 * 60}")
    entry = Mute(
        course_id=who.course_id,
        username=username,
        until=utcnow() + timedelta(minutes=minutes),
        muted_by=who.username,
        reason=reason,
    )
    session.add(entry)
    audit(
        session, who.username, "discussion.mute", who.course_id, username, reason, minutes=minutes
    )
    return entry


def recompute_answered(session: Session, thread: Thread) -> None:
    """The thread's first visible reply by someone other than its author (or None)."""
    thread.answered_at = session.scalar(
        select(func.min(Post.created_at)).where(
            Post.thread_id == thread.id,
            Post.depth == REPLY,
            Post.author != thread.author,
            Post.hidden_at.is_(None),
        )
    )


def hide(
    session: Session, who: Viewer, post: Post, thread: Thread, hidden: bool, reason: str
) -> None:
    """Hide (or show again) a post, audited; hiding an opening post hides the thread from
    learners. An accepted answer that is hidden is no longer accepted."""
    require_moderator(who, "hide posts")
    if hidden == (post.hidden_at is not None):
        raise Conflict(f"post {post.id} is {'already' if hidden else 'not'} hidden")
    if hidden:
        post.hidden_at, post.hidden_by, post.hide_reason = utcnow(), who.username, reason
        if thread.accepted_post_id == post.id:
            thread.accepted_post_id = None
    else:
        post.hidden_at = post.hidden_by = post.hide_reason = None
    # the thread's row repeats what learners see of its posts (the caller holds its lock)
    if post.depth == OPENING:
        thread.opening_hidden = hidden
    else:
        thread.visible_reply_count += -1 if hidden else 1
    session.flush()
    recompute_answered(session, thread)
    action = "discussion.hide" if hidden else "discussion.unhide"
    audit(
        session,
        who.username,
        action,
        who.course_id,
        post.author,
        reason,
        post_id=post.id,
        thread_id=thread.id,
    )


def flag(session: Session, who: Viewer, post: Post, reason: str) -> Flag:
    """Any member reports a post for abuse (once per post; audited)."""
    if session.scalar(select(Flag).where(Flag.post_id == post.id, Flag.username == who.username)):
        raise Conflict(f"you have already flagged post {post.id}")
    entry = Flag(post_id=post.id, username=who.username, reason=reason)
    session.add(entry)
    audit(
        session,
        who.username,
        "discussion.flag",
        who.course_id,
        post.author,
        reason,
        post_id=post.id,
        thread_id=post.thread_id,
    )
    return entry


def flag_count(session: Session, post_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Flag).where(Flag.post_id == post_id))


def set_pinned(session: Session, who: Viewer, thread: Thread, pinned: bool) -> None:
    require_moderator(who, "pin threads")
    if thread.pinned != pinned:
        thread.pinned = pinned
        audit(
            session,
            who.username,
            "discussion.pin" if pinned else "discussion.unpin",
            who.course_id,
            thread.author,
            "",
            thread_id=thread.id,
        )


def set_closed(session: Session, who: Viewer, thread: Thread, closed: bool, reason: str) -> None:
    """Close a thread with a reason (no more posts) or open it again; audited."""
    require_moderator(who, "close threads")
    if closed and not reason.strip():
        raise CampusError("reason: closing a thread needs a reason")
    if closed == (thread.closed_at is not None):
        raise Conflict(f"thread {thread.id} is {'already' if closed else 'not'} closed")
    if closed:
        thread.closed_at, thread.closed_by, thread.close_reason = utcnow(), who.username, reason
    else:
        thread.closed_at = thread.closed_by = thread.close_reason = None
    audit(
        session,
        who.username,
        "discussion.close" if closed else "discussion.reopen",
        who.course_id,
        thread.author,
        reason,
        thread_id=thread.id,
    )


def private_queue(session: Session, who: Viewer) -> list[dict]:
    """Unanswered private questions of the course, oldest first, with their age (staff)."""
    if not who.staff:
        raise Forbidden(f"only staff see the private questions of course {who.course_id!r}")
    now = utcnow()
    rows = session.execute(
        select(Thread, Post)
        .join(Post, (Post.thread_id == Thread.id) & (Post.depth == OPENING))
        .where(
            Thread.course_id == who.course_id,
            Thread.private.is_(True),
            Thread.answered_at.is_(None),
            Thread.accepted_post_id.is_(None),
            Thread.closed_at.is_(None),
        )
        .order_by(Thread.created_at, Thread.id)
    ).all()
    return [
        {
            "thread_id": t.id,
            "title": t.title,
            "author": t.author,
            "module": t.module_id,
            "item": t.item_id,
            "asked_at": t.created_at.isoformat(),
            "age_seconds": int((now - t.created_at).total_seconds()),
            "hidden": p.hidden_at is not None,
        }
        for t, p in rows
    ]
