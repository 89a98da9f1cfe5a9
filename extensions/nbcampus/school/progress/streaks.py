"""Streaks of active weeks: a week (Monday to Sunday, UTC) counts as active when the learner
did anything in the course in it. The current streak is the run of active weeks that ends this
week, or last week while this one is still under way (a streak is not broken before Sunday)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.progress.models import ActivityEvent


def week_of(at: datetime) -> date:
    """The Monday (UTC) of the week ``at`` falls in."""
    day = at.date()
    return day - timedelta(days=day.weekday())


def active_weeks(session: Session, course_id: str, username: str) -> set[date]:
    """The weeks (their Mondays) in which ``username`` was active in the course."""
    times = session.scalars(
        select(ActivityEvent.at).where(
            ActivityEvent.course_id == course_id, ActivityEvent.username == username
        )
    )
    return {week_of(at) for at in times}


def streak(weeks: set[date], now: datetime) -> dict[str, Any]:
    """The current and the longest run of consecutive active weeks, and whether this week is
    active yet."""
    this_week = week_of(now)
    week = this_week if this_week in weeks else this_week - timedelta(days=7)
    current = 0
    while week in weeks:
        current += 1
        week -= timedelta(days=7)
    longest = run = 0
    previous = None
    for monday in sorted(weeks):
        run = run + 1 if previous is not None and monday - previous == timedelta(days=7) else 1
        longest = max(longest, run)
        previous = monday
    return {
        "current_weeks": current,
        "longest_weeks": longest,
        "active_weeks": len(weeks),
        "active_this_week": this_week in weeks,
    }


def my_streak(session: Session, course_id: str, username: str, now: datetime) -> dict[str, Any]:
    """:func:`streak` of one learner in one course."""
    return streak(active_weeks(session, course_id, username), now)
