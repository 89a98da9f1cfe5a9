"""Notifications: one learner is told one thing (plain text and a link in the school), in the
lab and, when they want it, by mail; their list, newest first, and what they have read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, NotFound, utcnow
from nbcampus.school.notifications.models import (
    KINDS,
    MAIL_NONE,
    MAIL_PENDING,
    Notification,
)
from nbcampus.school.notifications.preferences import course_choices, wants

MAX_TITLE = 300
MAX_BODY = 2000
MAX_PAGE = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str, limit: int) -> str:
    """Text as a notification holds it: no control characters, at most ``limit`` characters
    (cut with an ellipsis). It is shown as text, never as HTML."""
    text = _CONTROL.sub(" ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int = MAX_TITLE) -> str:
    """A title: one line (a mail's subject comes from it)."""
    return plain(" ".join((text or "").split()), limit)


def notify(
    session: Session,
    username: str,
    kind: str,
    course_id: str | None,
    title: str,
    body: str,
    link: str | None = None,
) -> Notification | None:
    """Tell ``username`` something, as their preferences for the course and kind say (in the
    lab, by mail, both or neither: then None). ``link`` is a path below the service."""
    if kind not in KINDS:
        raise CampusError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    lab, email = wants(session, username, course_id, kind)
    if not (lab or email):
        return None
    notification = Notification(
        username=username,
        kind=kind,
        course_id=course_id,
        title=one_line(title),
        body=plain(body, MAX_BODY),
        link=link,
        created_at=utcnow(),
        in_lab=lab,
        mail_state=MAIL_PENDING if email else MAIL_NONE,
    )
    session.add(notification)
    session.flush()
    return notification


def notify_many(
    session: Session,
    kind: str,
    course_id: str,
    messages: list[tuple[str, str, str, str | None]],
) -> int:
    """:func:`notify` for many learners of one course at once: ``messages`` are (username,
    title, body, link); the learners' preferences are read once. How many were written."""
    if kind not in KINDS:
        raise CampusError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    choices = course_choices(session, course_id, kind)
    now = utcnow()
    rows = []
    for username, title, body, link in messages:
        lab, email = choices.get(username, (True, True))
        if lab or email:
            rows.append(
                {
                    "username": username,
                    "kind": kind,
                    "course_id": course_id,
                    "title": one_line(title),
                    "body": plain(body, MAX_BODY),
                    "link": link,
                    "created_at": now,
                    "in_lab": lab,
                    "mail_state": MAIL_PENDING if email else MAIL_NONE,
                }
            )
    for start in range(0, len(rows), 2000):
        session.execute(insert(Notification), rows[start : start + 2000])
    return len(rows)


def notification_json(n: Notification, prefix: str = "") -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "course_id": n.course_id,
        "title": n.title,
        "body": n.body,
        "link": None if n.link is None else prefix + n.link,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


def unread_count(session: Session, username: str) -> int:
    return session.scalar(
        select(func.count()).where(
            Notification.username == username,
            Notification.in_lab,
            Notification.read_at.is_(None),
        )
    )


def my_notifications(
    session: Session,
    username: str,
    *,
    limit: int = 20,
    offset: int = 0,
    unread_only: bool = False,
    prefix: str = "",
) -> dict[str, Any]:
    """A page of the learner's notifications, newest first, with the unread count."""
    if not 1 <= limit <= MAX_PAGE:
        raise CampusError(f"limit: between 1 and {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise CampusError(f"offset: 0 or more, not {offset}")
    mine = (Notification.username == username) & Notification.in_lab
    if unread_only:
        mine = mine & Notification.read_at.is_(None)
    rows = session.scalars(
        select(Notification)
        .where(mine)
        .order_by(Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = session.scalar(select(func.count()).where(mine))
    return {
        "notifications": [notification_json(n, prefix) for n in rows],
        "unread": unread_count(session, username),
        "total": total,
        "limit": limit,
        "offset": offset,
    }


def mark_read(
    session: Session, username: str, ids: list[int] | None = None, everything: bool = False
) -> int:
    """Mark these notifications of the learner read (or all of them); the unread count after.
    An id that is not one of theirs is refused (404), nothing marked."""
    if (ids is None) == (not everything):
        raise CampusError("give either ids or all: true")
    mine = (Notification.username == username) & Notification.read_at.is_(None)
    if ids is not None:
        found = set(
            session.scalars(
                select(Notification.id).where(
                    Notification.username == username, Notification.id.in_(ids)
                )
            )
        )
        missing = sorted(set(ids) - found)
        if missing:
            raise NotFound(f"you have no notification {missing[0]}")
        mine = mine & Notification.id.in_(ids)
    session.execute(update(Notification).where(mine).values(read_at=utcnow()))
    return unread_count(session, username)
