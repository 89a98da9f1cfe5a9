"""Attendance of live sessions: staff record who came; the reports count it."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, Forbidden, NotFound, Permissions, audit
from nbcampus.school.discussion.members import viewer
from nbcampus.school.discussion.models import Attendance, LiveSession
from nbcampus.school.enrolment.api import is_enrolled

MAX_PER_CALL = 1000


def record_attendance(
    session: Session,
    permissions: Permissions,
    session_id: int,
    usernames: list[str],
    attended: bool = True,
) -> list[str]:
    """Mark these learners as present (or not) at a session (staff and mentors; audited); every
    name must be a learner enrolled in the course, else nothing is recorded. Returns who
    attended afterwards, by name."""
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound(f"no session {session_id}")
    who = viewer(session, permissions, live.course_id)
    if not who.moderator:
        raise Forbidden(f"only staff and mentors record attendance in {live.course_id!r}")
    if len(usernames) > MAX_PER_CALL:
        raise CampusError(f"usernames: at most {MAX_PER_CALL} per call")
    strangers = sorted(u for u in set(usernames) if not is_enrolled(session, live.course_id, u))
    if strangers:
        raise CampusError(f"usernames: not enrolled in {live.course_id}: {', '.join(strangers)}")
    present = set(
        session.scalars(select(Attendance.username).where(Attendance.session_id == live.id))
    )
    if attended:
        for username in sorted(set(usernames) - present):
            session.add(Attendance(session_id=live.id, username=username, recorded_by=who.username))
    else:
        session.execute(
            delete(Attendance).where(
                Attendance.session_id == live.id, Attendance.username.in_(usernames)
            )
        )
    audit(
        session,
        who.username,
        "discussion.attendance",
        live.course_id,
        None,
        "",
        session_id=live.id,
        usernames=sorted(set(usernames)),
        attended=attended,
    )
    session.flush()
    return sorted(
        session.scalars(select(Attendance.username).where(Attendance.session_id == live.id))
    )
