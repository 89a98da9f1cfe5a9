"""The instructor dashboards' data: enrolment, activity, grades, quiz items, learners at risk.

Every function takes a session, a course and optionally a cohort name, and returns rows (lists of
dicts with the same keys) so the same data gives the JSON for plots and the CSV downloads.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import Cohort, get_course
from nbcampus.school.core.api import NotFound, safe_row, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment.api import ENROLLED, Enrolment
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.api import Grade
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.quizzes.api import QuizAttempt, QuizRecord

SECTIONS = ("enrolment", "activity", "grades", "quiz_items", "at_risk")


def _enrolments(session: Session, course_id: str, cohort: str | None) -> list[Enrolment]:
    query = select(Enrolment).where(Enrolment.course_id == course_id)
    if cohort is not None:
        cohort_id = session.scalar(
            select(Cohort.id).where(Cohort.course_id == course_id, Cohort.name == cohort)
        )
        if cohort_id is None:
            raise NotFound(f"{course_id} has no cohort {cohort!r}")
        query = query.where(Enrolment.cohort_id == cohort_id)
    return list(session.scalars(query.order_by(Enrolment.enrolled_at)))


def enrolment_over_time(session, course_id, cohort=None) -> list[dict[str, Any]]:
    """Per day: new enrolments and the running total."""
    per_day: dict[str, int] = defaultdict(int)
    for e in _enrolments(session, course_id, cohort):
        per_day[e.enrolled_at.date().isoformat()] += 1
    rows, total = [], 0
    for day in sorted(per_day):
        total += per_day[day]
        rows.append({"day": day, "new": per_day[day], "total": total})
    return rows


def activity_over_time(session, course_id, cohort=None) -> list[dict[str, Any]]:
    """Per day: active learners, active minutes and cells executed."""
    learners = {e.username for e in _enrolments(session, course_id, cohort)}
    days: dict[str, dict[str, Any]] = {}
    for ev in session.scalars(select(ActivityEvent).where(ActivityEvent.course_id == course_id)):
        if ev.username not in learners:
            continue
        day = days.setdefault(ev.at.date().isoformat(), {"users": set(), "sec": 0, "runs": 0})
        day["users"].add(ev.username)
        day["sec"] += ev.seconds
        day["runs"] += ev.count if ev.kind == "execute" else 0
    return [
        {
            "day": d,
            "active_learners": len(v["users"]),
            "active_minutes": round(v["sec"] / 60, 1),
            "executions": v["runs"],
        }
        for d, v in sorted(days.items())
    ]


def grade_distribution(session, course_id, cohort=None) -> list[dict[str, Any]]:
    """One row per learner and assignment: the latest grade, in percent."""
    learners = {e.username for e in _enrolments(session, course_id, cohort)}
    latest: dict[tuple[str, str], Grade] = {}
    for g in session.scalars(
        select(Grade).where(Grade.course_id == course_id).order_by(Grade.graded_at)
    ):
        if g.username in learners:
            latest[(g.assignment_id, g.username)] = g
    return [
        {
            "assignment": a,
            "username": u,
            "score": g.score,
            "max_score": g.max_score,
            "percent": round(100 * g.score / g.max_score, 1) if g.max_score else 0.0,
        }
        for (a, u), g in sorted(latest.items())
    ]


def point_biserial(item: list[float], total: list[float]) -> float | None:
    """Correlation of a 0/1 item with the total score; None when either does not vary."""
    if len(item) < 2 or len(set(item)) < 2 or len(set(total)) < 2:
        return None
    return statistics.correlation(item, total)


def quiz_item_statistics(session, course_id, cohort=None) -> list[dict[str, Any]]:
    """Per quiz question, on each learner's first attempt: difficulty (proportion correct) and
    discrimination (point-biserial correlation of the item with the rest of the quiz score)."""
    learners = {e.username for e in _enrolments(session, course_id, cohort)}
    rows = []
    for record in session.scalars(
        select(QuizRecord).where(QuizRecord.course_id == course_id).order_by(QuizRecord.quiz_id)
    ):
        firsts = [
            a
            for a in session.scalars(
                select(QuizAttempt).where(
                    QuizAttempt.course_id == course_id,
                    QuizAttempt.quiz_id == record.quiz_id,
                    QuizAttempt.attempt == 1,
                )
            )
            if a.username in learners
        ]
        for q in record.questions:
            marks = [1.0 if a.results.get(q["id"], {}).get("correct") else 0.0 for a in firsts]
            rest = [a.score - m * q["points"] for a, m in zip(firsts, marks, strict=True)]
            r = point_biserial(marks, rest)
            rows.append(
                {
                    "quiz": record.quiz_id,
                    "question": q["id"],
                    "type": q["type"],
                    "responses": len(firsts),
                    "difficulty": round(sum(marks) / len(marks), 3) if marks else None,
                    "discrimination": None if r is None else round(r, 3),
                }
            )
    return rows


def learners_at_risk(session, course_id, cohort=None, idle_days: int = 7) -> list[dict[str, Any]]:
    """Enrolled learners with no activity for ``idle_days`` or a missed due date (server clock)."""
    now = utcnow()
    course = get_course(session, course_id)
    last_seen: dict[str, Any] = {}
    for ev in session.scalars(select(ActivityEvent).where(ActivityEvent.course_id == course_id)):
        if ev.username not in last_seen or ev.at > last_seen[ev.username]:
            last_seen[ev.username] = ev.at
    handed_in: dict[str, set[str]] = defaultdict(set)
    for s in session.scalars(select(Submission).where(Submission.course_id == course_id)):
        handed_in[s.username].add(s.assignment_id)
    for a in session.scalars(select(QuizAttempt).where(QuizAttempt.course_id == course_id)):
        handed_in[a.username].add(a.quiz_id)
    rows = []
    for e in _enrolments(session, course_id, cohort):
        if e.status != ENROLLED:
            continue
        seen = last_seen.get(e.username)
        idle = (now - (seen or e.enrolled_at)) >= timedelta(days=idle_days)
        missed = sorted(
            item
            for item, d in resolve_deadlines(session, course.data, e).items()
            if d.due_at < now and item not in handed_in[e.username]
        )
        if idle or missed:
            rows.append(
                {
                    "username": e.username,
                    "last_activity": seen.isoformat() if seen else None,
                    "idle_days": (now - (seen or e.enrolled_at)).days,
                    "missed": " ".join(missed),
                }
            )
    return rows


def section(session, course_id: str, name: str, cohort=None, idle_days: int = 7):
    get_course(session, course_id)
    if name == "enrolment":
        return enrolment_over_time(session, course_id, cohort)
    if name == "activity":
        return activity_over_time(session, course_id, cohort)
    if name == "grades":
        return grade_distribution(session, course_id, cohort)
    if name == "quiz_items":
        return quiz_item_statistics(session, course_id, cohort)
    if name == "at_risk":
        return learners_at_risk(session, course_id, cohort, idle_days)
    raise NotFound(f"no dashboard section {name!r}; there are {', '.join(SECTIONS)}")


def to_csv(rows: list[dict[str, Any]], fieldnames: list[str] | None = None) -> str:
    """Rows as CSV with a header (the first row's keys unless ``fieldnames`` says; no header for
    no rows without ``fieldnames``)."""
    out = io.StringIO()
    if rows or fieldnames:
        writer = csv.DictWriter(out, fieldnames=fieldnames or list(rows[0]))
        writer.writeheader()
        # names people wrote (display names, cohorts) stay text in a spreadsheet
        writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()
