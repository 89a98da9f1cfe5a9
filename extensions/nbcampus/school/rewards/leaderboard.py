"""The leaderboard of a cohort: only learners who opted in appear on it, ranked by their
points (ties share a rank); a learner who did not opt in is in no answer, not even as a count.
A learner sees the board of their own cohort."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from nbcampus.course.engagement import has_leaderboard
from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import NotFound, utcnow
from nbcampus.school.enrolment.api import ENROLLED, course_enrolments, find_enrolment
from nbcampus.school.progress.api import my_streak
from nbcampus.school.rewards.models import LeaderboardChoice
from nbcampus.school.rewards.points import course_points, point_values

#: the most entries a board shows
BOARD_SIZE = 50


def _opted_in(session: Session, course_id: str) -> set[str]:
    return set(
        session.scalars(
            select(LeaderboardChoice.username).where(
                LeaderboardChoice.course_id == course_id, LeaderboardChoice.opted_in.is_(True)
            )
        )
    )


def my_points(session: Session, course_id: str, username: str, now: datetime) -> dict[str, Any]:
    """An enrolled learner's points (per module), streak and leaderboard choice (403 for
    anyone not enrolled, 404 when the course has no rewards)."""
    course = get_course(session, course_id)
    find_enrolment(session, course_id, username, active=True)
    values = point_values(course)
    mine = course_points(session, course, [username])[username]
    return {
        "course": course_id,
        "username": username,
        "points_per": values,
        **mine,
        "streak": my_streak(session, course_id, username, now),
        "leaderboard": {
            "enabled": has_leaderboard(course.data),
            "opted_in": username in _opted_in(session, course_id),
        },
    }


def leaderboard(session: Session, course_id: str, username: str) -> dict[str, Any]:
    """The board of ``username``'s cohort: the opted-in learners by points."""
    course = get_course(session, course_id)
    me = find_enrolment(session, course_id, username, active=True)
    if not has_leaderboard(course.data):
        raise NotFound(f"course {course_id!r} has no leaderboard")
    opted = _opted_in(session, course_id)
    names = sorted(
        e.username
        for e in course_enrolments(session, course_id, ENROLLED)
        if e.cohort_id == me.cohort_id and e.username in opted
    )
    points = course_points(session, course, names) if names else {}
    ranked = sorted(names, key=lambda n: (-points[n]["total"], n))
    entries, rank, previous = [], 0, None
    for position, name in enumerate(ranked, start=1):
        if points[name]["total"] != previous:
            rank, previous = position, points[name]["total"]
        entries.append({"rank": rank, "username": name, "points": previous, "me": name == username})
    return {
        "course": course_id,
        "cohort": me.cohort.name if me.cohort is not None else None,
        "opted_in": username in opted,
        "entries": entries[:BOARD_SIZE],
    }


def choose(session: Session, course_id: str, username: str, opted_in: bool) -> dict[str, Any]:
    """Opt in to (or out of) the course's leaderboard; the board as it then stands."""
    course = get_course(session, course_id)
    find_enrolment(session, course_id, username, active=True)
    if not has_leaderboard(course.data):
        raise NotFound(f"course {course_id!r} has no leaderboard")
    # one statement: two first choices at once (two tabs, two replicas) make one row, the last
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    statement = dialect.insert(LeaderboardChoice).values(
        course_id=course_id, username=username, opted_in=opted_in, changed_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["course_id", "username"],
            set_={"opted_in": opted_in, "changed_at": now},
        )
    )
    session.flush()
    return leaderboard(session, course_id, username)
