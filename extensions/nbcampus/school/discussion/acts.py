"""Moderation acts as a caller asks for them: the caller's rights resolved, then the rule of
moderation.py applied (hide, flag, mute; the private questions queue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nbcampus.school.core.api import Permissions
from nbcampus.school.discussion import moderation
from nbcampus.school.discussion.members import viewer
from nbcampus.school.discussion.posts import find_post, post_views


def hide_post(
    session: Session, permissions: Permissions, post_id: int, hidden: bool, reason: str
) -> dict[str, Any]:
    """Hide a post (or show it again); the post as staff see it."""
    who, thread, post = find_post(session, permissions, post_id)
    moderation.hide(session, who, post, thread, hidden, reason)
    return post_views(session, who, [post])[0]


def flag_post(session: Session, permissions: Permissions, post_id: int, reason: str) -> int:
    """Any member who sees a post reports it; how many members have flagged it."""
    who, _, post = find_post(session, permissions, post_id)
    moderation.flag(session, who, post, reason)
    session.flush()
    return moderation.flag_count(session, post.id)


def mute_member(
    session: Session,
    permissions: Permissions,
    course_id: str,
    username: str,
    minutes: int,
    reason: str,
) -> dict[str, Any]:
    """Mute a member of the course for ``minutes``."""
    entry = moderation.mute(
        session, viewer(session, permissions, course_id), username, minutes, reason
    )
    return {"username": entry.username, "until": entry.until.isoformat(), "reason": reason}


def private_questions(
    session: Session, permissions: Permissions, course_id: str
) -> list[dict[str, Any]]:
    """The staff's queue of unanswered private questions of the course, oldest first."""
    return moderation.private_queue(session, viewer(session, permissions, course_id))
