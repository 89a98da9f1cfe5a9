"""A learner's calendar feed (iCalendar): the live sessions of their courses and their own
deadlines, at an unguessable URL that needs no login (calendar apps cannot log in).

The key is random (256 bits); the database keeps only its SHA-256, so it holds no usable
URL. Making a new key replaces the old one (a leaked URL is revoked by making another).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import NotFound, Permissions, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.discussion.announcements import upcoming_sessions
from nbcampus.school.discussion.models import CalendarKey
from nbcampus.school.enrolment.api import enrolments_of


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(session: Session, username: str) -> str:
    """A new calendar key for ``username``, replacing any former one."""
    key = secrets.token_urlsafe(32)
    row = session.scalar(select(CalendarKey).where(CalendarKey.username == username))
    if row is None:
        session.add(CalendarKey(username=username, key_hash=_hash(key)))
    else:
        row.key_hash, row.created_at = _hash(key), utcnow()
    return key


def key_owner(session: Session, key: str) -> str:
    """Whose feed ``key`` opens; NotFound for any other string."""
    username = session.scalar(
        select(CalendarKey.username).where(CalendarKey.key_hash == _hash(key))
    )
    if username is None:
        raise NotFound("no calendar for this key")
    return username


def _text(value: str) -> str:
    """An iCalendar TEXT value: backslash, semicolon, comma and line breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _time(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a space (RFC 5545, 3.1)."""
    out, data = [], line.encode()
    while len(data) > 75:
        cut = 75 if not out else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode())
        data = data[cut:]
    out.append(data.decode())
    return [out[0], *(" " + part for part in out[1:])]


def _event(uid: str, start: datetime, end: datetime, summary: str, **extra: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_time(utcnow())}",
        f"DTSTART:{_time(start)}",
        f"DTEND:{_time(end)}",
        f"SUMMARY:{_text(summary)}",
    ]
    lines += [f"{name.upper()}:{value}" for name, value in extra.items()]
    return [*lines, "END:VEVENT"]


def calendar(session: Session, username: str, host: str = "nbcampus") -> str:
    """The iCalendar document of ``username``: sessions and deadlines of their courses."""
    permissions = Permissions(username, [])
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//nbcampus//calendar//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:nbcampus",
    ]
    for enrolment in enrolments_of(session, username):
        if enrolment.status != "enrolled":
            continue
        course_id = enrolment.course_id
        for s in upcoming_sessions(session, permissions, course_id):
            start = datetime.fromisoformat(s["starts_at"])
            lines += _event(
                f"session-{s['id']}@{host}",
                start,
                start + timedelta(minutes=s["minutes"]),
                f"{course_id}: {s['title']}",
                url=s["meeting_url"],
                location=_text(s["meeting_url"]),
            )
        data = get_course(session, course_id).data
        for deadline in resolve_deadlines(session, data, enrolment).values():
            lines += _event(
                f"due-{course_id}-{deadline.item_id}-{username}@{host}",
                deadline.due_at - timedelta(minutes=30),
                deadline.due_at,
                f"{course_id}: {deadline.item_id} due",
            )
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
