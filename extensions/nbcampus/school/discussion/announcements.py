"""Announcements by staff to a course or one cohort, and live sessions (classes, coaching,
office hours) with a time, a duration and a meeting link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import Cohort, find_cohort
from nbcampus.school.core.api import (
    AnnouncementMade,
    CampusError,
    Forbidden,
    Permissions,
    audit,
    publish,
    utcnow,
)
from nbcampus.school.discussion.markdown import render
from nbcampus.school.discussion.members import Viewer, viewer
from nbcampus.school.discussion.models import Announcement, LiveSession
from nbcampus.school.enrolment.api import ENROLLED, Enrolment
from nbcampus.school.profiles.api import shown_name, shown_names

MAX_SESSION_MINUTES = 12 * 60


def _cohort_id(session: Session, who: Viewer, cohort: str | None) -> int | None:
    return None if cohort is None else find_cohort(session, who.course_id, cohort).id


def _reaches(cohort_id, learner_cohort):
    """The rule: what is course-wide (no cohort) or for the learner's cohort reaches them."""
    return or_(cohort_id.is_(None), cohort_id == learner_cohort)


def _for_me(model, who: Viewer):
    """A learner sees what is course-wide or for their cohort; staff see all."""
    if who.staff:
        return model.course_id == who.course_id
    return (model.course_id == who.course_id) & _reaches(model.cohort_id, who.cohort_id)


@dataclass(frozen=True)
class AnnouncementAudience:
    """An announcement and the learners it is for (its cohort's, or the whole course's)."""

    course_id: str
    title: str
    body: str
    learners: tuple[str, ...]


def announcement_audience(session: Session, announcement_id: int) -> AnnouncementAudience | None:
    """The enrolled learners an announcement is for, by the rule that shows it to them
    (``_reaches``); None when there is no such announcement."""
    entry = session.get(Announcement, announcement_id)
    if entry is None:
        return None
    learners = session.scalars(
        select(Enrolment.username)
        .join(Announcement, Announcement.course_id == Enrolment.course_id)
        .where(
            Announcement.id == entry.id,
            Enrolment.status == ENROLLED,
            _reaches(Announcement.cohort_id, Enrolment.cohort_id),
        )
        .order_by(Enrolment.username)
    )
    return AnnouncementAudience(entry.course_id, entry.title, entry.body, tuple(learners))


def _cohort_names(session: Session, course_id: str) -> dict[int, str]:
    return dict(
        session.execute(select(Cohort.id, Cohort.name).where(Cohort.course_id == course_id)).all()
    )


def announce(
    session: Session,
    permissions: Permissions,
    course_id: str,
    title: str,
    body: str,
    cohort: str | None = None,
) -> dict[str, Any]:
    """A community manager or an instructor writes to the course (or one cohort); audited."""
    who = viewer(session, permissions, course_id)
    if not who.community:
        raise Forbidden(f"only community managers and instructors announce in {course_id!r}")
    if not title.strip() or not body.strip():
        raise CampusError("an announcement needs a title and a body")
    entry = Announcement(
        course_id=course_id,
        cohort_id=_cohort_id(session, who, cohort),
        author=who.username,
        title=title.strip(),
        body=body,
        html=render(body),
    )
    session.add(entry)
    session.flush()
    audit(
        session,
        who.username,
        "discussion.announce",
        course_id,
        cohort,
        "",
        announcement_id=entry.id,
    )
    publish(
        session,
        AnnouncementMade(
            course_id, who.username, announcement_id=entry.id, cohort_id=entry.cohort_id
        ),
    )
    return announcement_json(entry, cohort, shown_name(session, entry.author))


def announcement_json(entry: Announcement, cohort: str | None, author_name: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "course_id": entry.course_id,
        "cohort": cohort,
        "author": entry.author,
        "author_name": author_name,
        "title": entry.title,
        "body": entry.body,
        "html": entry.html,
        "created_at": entry.created_at.isoformat(),
    }


def announcements(
    session: Session, permissions: Permissions, course_id: str, limit: int = 20
) -> list[dict[str, Any]]:
    """The latest announcements the caller may see, newest first."""
    who = viewer(session, permissions, course_id)
    names = _cohort_names(session, course_id)
    rows = list(
        session.scalars(
            select(Announcement)
            .where(_for_me(Announcement, who))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(limit)
        )
    )
    authors = shown_names(session, [a.author for a in rows])
    return [announcement_json(a, names.get(a.cohort_id), authors[a.author]) for a in rows]


def schedule(
    session: Session,
    permissions: Permissions,
    course_id: str,
    *,
    title: str,
    starts_at: datetime,
    minutes: int,
    meeting_url: str,
    cohort: str | None = None,
) -> dict[str, Any]:
    """Staff (and mentors) schedule a live session of the course or of one cohort; audited."""
    who = viewer(session, permissions, course_id)
    if not who.moderator:
        raise Forbidden(f"only staff and mentors schedule sessions of {course_id!r}")
    if not 1 <= minutes <= MAX_SESSION_MINUTES:
        raise CampusError(f"minutes: between 1 and {MAX_SESSION_MINUTES}")
    link = urlparse(meeting_url)
    if link.scheme != "https" or not link.netloc:
        raise CampusError("meeting_url: an https:// link")
    if starts_at.tzinfo is None:
        raise CampusError("starts_at: needs a time zone")
    starts_at = starts_at.astimezone(UTC)  # answered and stored in UTC, whatever zone came in
    entry = LiveSession(
        course_id=course_id,
        cohort_id=_cohort_id(session, who, cohort),
        title=title.strip(),
        starts_at=starts_at,
        minutes=minutes,
        meeting_url=meeting_url,
        created_by=who.username,
    )
    session.add(entry)
    session.flush()
    audit(session, who.username, "discussion.session", course_id, cohort, "", session_id=entry.id)
    return session_json(entry, cohort)


def session_json(entry: LiveSession, cohort: str | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "course_id": entry.course_id,
        "cohort": cohort,
        "title": entry.title,
        "starts_at": entry.starts_at.isoformat(),
        "ends_at": (entry.starts_at + timedelta(minutes=entry.minutes)).isoformat(),
        "minutes": entry.minutes,
        "meeting_url": entry.meeting_url,
        "created_by": entry.created_by,
    }


def upcoming_sessions(
    session: Session, permissions: Permissions, course_id: str, past: bool = False
) -> list[dict[str, Any]]:
    """Sessions the caller may attend, soonest first: those not yet ended (or all with past)."""
    who = viewer(session, permissions, course_id)
    names = _cohort_names(session, course_id)
    rows = session.scalars(
        select(LiveSession).where(_for_me(LiveSession, who)).order_by(LiveSession.starts_at)
    )
    now = utcnow()
    return [
        session_json(s, names.get(s.cohort_id))
        for s in rows
        if past or s.starts_at + timedelta(minutes=s.minutes) > now
    ]


@dataclass(frozen=True)
class SessionAudience:
    """A live session and the learners it is for (its cohort's, or the whole course's)."""

    id: int
    course_id: str
    title: str
    starts_at: datetime
    meeting_url: str
    learners: tuple[str, ...]


def sessions_starting(session: Session, start: datetime, end: datetime) -> list[SessionAudience]:
    """The live sessions starting in ``(start, end]``, each with the enrolled learners it is
    for, by the rule that shows sessions to them (``_reaches``)."""
    starting = session.scalars(
        select(LiveSession)
        .where(LiveSession.starts_at > start, LiveSession.starts_at <= end)
        .order_by(LiveSession.starts_at, LiveSession.id)
    ).all()
    audiences = []
    for entry in starting:
        learners = session.scalars(
            select(Enrolment.username)
            .join(LiveSession, LiveSession.course_id == Enrolment.course_id)
            .where(
                LiveSession.id == entry.id,
                Enrolment.status == ENROLLED,
                _reaches(LiveSession.cohort_id, Enrolment.cohort_id),
            )
            .order_by(Enrolment.username)
        )
        audiences.append(
            SessionAudience(
                entry.id,
                entry.course_id,
                entry.title,
                entry.starts_at,
                entry.meeting_url,
                tuple(learners),
            )
        )
    return audiences
