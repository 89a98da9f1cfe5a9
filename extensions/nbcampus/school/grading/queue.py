"""The grading queue in the service database: jobs with leases, and the one grade of a submission.

A job is ``queued``, then ``running`` under a lease held by one worker, then ``graded``,
``review`` (graded but staff must look: the grader was tampered with or crashed) or ``failed``
(kept for the record when it was given up). A worker that dies leaves its lease to expire; the
next worker that claims the job grades it again. :func:`complete` writes the grade only while the
lease is still the worker's, so each submission ends with exactly one grade row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from nbcampus.school.core import api as events
from nbcampus.school.core.api import CampusError, NotFound, audit, utcnow
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.school.grading.views import grade_view


def enqueue(
    session: Session, submissions: Iterable[Submission], requested_by: str
) -> list[GradingJob]:
    """Queue a job per submission, unless one is already queued or running for it."""
    jobs = []
    for submission in submissions:
        pending = session.scalar(
            select(GradingJob).where(
                GradingJob.submission_id == submission.id,
                GradingJob.state.in_(("queued", "running")),
            )
        )
        if pending is not None:
            jobs.append(pending)
            continue
        job = GradingJob(
            submission_id=submission.id,
            course_id=submission.course_id,
            assignment_id=submission.assignment_id,
            username=submission.username,
            state="queued",
            requested_by=requested_by,
            requested_at=utcnow(),
            attempts=0,
        )
        session.add(job)
        jobs.append(job)
    session.flush()
    return jobs


def claim(
    session: Session, owner: str, lease: timedelta, limit: int = 1, now: datetime | None = None
) -> list[GradingJob]:
    """Take up to ``limit`` jobs that are queued or whose lease has expired."""
    now = now or utcnow()
    query = (
        select(GradingJob)
        .where(
            or_(
                GradingJob.state == "queued",
                (GradingJob.state == "running") & (GradingJob.lease_expires_at < now),
            )
        )
        .order_by(GradingJob.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(session.scalars(query))
    for job in jobs:
        job.state = "running"
        job.lease_owner = owner
        job.lease_expires_at = now + lease
        job.attempts += 1
        job.started_at = now
    session.flush()
    return jobs


def renew(session: Session, owner: str, job_ids: list[int], lease: timedelta) -> int:
    """Extend the leases ``owner`` still holds; returns how many it still holds."""
    if not job_ids:
        return 0
    result = session.execute(
        update(GradingJob)
        .where(
            GradingJob.id.in_(job_ids),
            GradingJob.lease_owner == owner,
            GradingJob.state == "running",
        )
        .values(lease_expires_at=utcnow() + lease)
    )
    return result.rowcount


@dataclass
class Outcome:
    state: str  # graded | review
    auto_score: float
    max_score: float
    cells: list[dict[str, Any]]
    review_reasons: list[str]


def _holds(session: Session, job_id: int, owner: str) -> GradingJob | None:
    query = select(GradingJob).where(
        GradingJob.id == job_id, GradingJob.lease_owner == owner, GradingJob.state == "running"
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def complete(
    session: Session, job_id: int, owner: str, outcome: Outcome, actor: str = "grader"
) -> Grade | None:
    """Record the grade of the job's submission, if ``owner`` still holds the job's lease.

    Returns None (and writes nothing) when the lease was lost: another worker grades it.
    """
    job = _holds(session, job_id, owner)
    if job is None:
        return None
    submission = session.get(Submission, job.submission_id)
    grade = session.scalar(select(Grade).where(Grade.submission_id == submission.id))
    manual = _manual_points(grade)
    cells = [dict(c) for c in outcome.cells]
    for cell in cells:
        key = (cell["notebook"], cell["grade_id"])
        if key in manual:
            cell["points"] = manual[key]["points"]
            cell["kind"] = "manual"
            cell["comment"] = manual[key].get("comment")
            cell["graded_by"] = manual[key].get("graded_by")
    values = _scores(cells, submission.credit_percent)
    now = utcnow()
    if grade is None:
        grade = Grade(submission_id=submission.id, released_at=None)
        session.add(grade)
    elif grade.graded_at is not None:
        audit(
            session,
            actor,
            "grade.regrade",
            submission.course_id,
            submission.username,
            submission=submission.id,
            previous={"score": grade.score, "state": grade.state},
        )
    grade.course_id = submission.course_id
    grade.assignment_id = submission.assignment_id
    grade.username = submission.username
    grade.state = outcome.state
    grade.cells = cells
    grade.review_reasons = list(outcome.review_reasons)
    grade.graded_at = now
    grade.graded_by = actor
    grade.credit_percent = submission.credit_percent
    for key, value in values.items():
        setattr(grade, key, value)
    job.state = outcome.state
    job.finished_at = now
    job.lease_owner = None
    job.lease_expires_at = None
    job.error = None
    session.flush()
    if grade.state == "graded":
        _announce(session, grade)
    return grade


def _announce(session: Session, grade: Grade) -> None:
    """A counted grade is news for other concepts (certificates may now be due)."""
    events.publish(
        session,
        events.GradeRecorded(
            course_id=grade.course_id,
            username=grade.username,
            submission_id=grade.submission_id,
            assignment_id=grade.assignment_id,
        ),
    )


def fail(
    session: Session, job_id: int, owner: str, error: str, max_attempts: int
) -> GradingJob | None:
    """A grading attempt crashed: queue it again, or after ``max_attempts`` mark the submission
    for review (a grade row in state ``review`` with no score that counts)."""
    job = _holds(session, job_id, owner)
    if job is None:
        return None
    job.error = error[-4000:]
    job.lease_owner = None
    job.lease_expires_at = None
    if job.attempts < max_attempts:
        job.state = "queued"
        session.flush()
        return job
    job.state = "failed"
    job.finished_at = utcnow()
    submission = session.get(Submission, job.submission_id)
    grade = session.scalar(select(Grade).where(Grade.submission_id == submission.id))
    if grade is None:
        grade = Grade(
            submission_id=submission.id,
            course_id=submission.course_id,
            assignment_id=submission.assignment_id,
            username=submission.username,
            auto_score=0.0,
            manual_score=0.0,
            raw_score=0.0,
            max_score=0.0,
            score=0.0,
            cells=[],
            graded_by="grader",
        )
        session.add(grade)
    grade.state = "review"
    grade.review_reasons = [f"grading crashed {job.attempts} times: {error[-500:]}"]
    grade.graded_at = utcnow()
    session.flush()
    return job


def _manual_points(grade: Grade | None) -> dict[tuple[str, str], dict[str, Any]]:
    if grade is None:
        return {}
    return {
        (c["notebook"], c["grade_id"]): c
        for c in grade.cells or []
        if c.get("kind") == "manual" and c.get("points") is not None and c.get("graded_by")
    }


def _scores(cells: list[dict[str, Any]], credit_percent: float) -> dict[str, float]:
    auto = sum((c["points"] or 0.0) for c in cells if c["kind"] == "auto")
    manual = sum((c["points"] or 0.0) for c in cells if c["kind"] == "manual")
    raw = auto + manual
    return {
        "auto_score": auto,
        "manual_score": manual,
        "raw_score": raw,
        "max_score": sum(c["max_points"] for c in cells),
        "score": round(raw * credit_percent / 100.0, 6),
    }


def set_cell_score(
    session: Session,
    submission_id: str,
    notebook: str,
    grade_id: str,
    points: float,
    comment: str | None,
    *,
    actor: str,
    reason: str,
) -> Grade:
    """Staff grade a manual part or override an automatic one; audited with who, when, why."""
    grade = session.scalar(select(Grade).where(Grade.submission_id == submission_id))
    if grade is None:
        raise NotFound(f"submission {submission_id} has no grade yet")
    cells = [dict(c) for c in grade.cells]
    for cell in cells:
        if cell["notebook"] == notebook and cell["grade_id"] == grade_id:
            if not 0 <= points <= cell["max_points"]:
                raise CampusError(
                    f"points for {notebook}/{grade_id} must be between 0 and {cell['max_points']}",
                    status=422,
                )
            previous = cell.get("points")
            cell.update(points=float(points), kind="manual", comment=comment, graded_by=actor)
            break
    else:
        raise NotFound(f"submission {submission_id} has no cell {notebook}/{grade_id}")
    grade.cells = cells
    for key, value in _scores(cells, grade.credit_percent).items():
        setattr(grade, key, value)
    audit(
        session,
        actor,
        "grade.override",
        grade.course_id,
        grade.username,
        reason,
        submission=submission_id,
        cell=f"{notebook}/{grade_id}",
        **{"from": previous, "to": float(points)},
    )
    session.flush()
    if grade.state == "graded":
        _announce(session, grade)
    return grade


def status(session: Session, course_id: str, assignment_id: str) -> dict[str, Any]:
    """Counts of jobs by state and the latest grade per learner, for staff."""
    counts = dict(
        session.execute(
            select(GradingJob.state, func.count())
            .where(GradingJob.course_id == course_id, GradingJob.assignment_id == assignment_id)
            .group_by(GradingJob.state)
        ).all()
    )
    grades = session.scalars(
        select(Grade)
        .where(Grade.course_id == course_id, Grade.assignment_id == assignment_id)
        .order_by(Grade.username, Grade.graded_at)
    )
    jobs = session.scalars(
        select(GradingJob)
        .where(GradingJob.course_id == course_id, GradingJob.assignment_id == assignment_id)
        .order_by(GradingJob.id)
    )
    return {
        "course_id": course_id,
        "assignment_id": assignment_id,
        "job_list": [
            {
                "id": j.id,
                "submission_id": j.submission_id,
                "username": j.username,
                "state": j.state,
                "attempts": j.attempts,
                "error": j.error,
            }
            for j in jobs
        ],
        "jobs": {
            state: counts.get(state, 0)
            for state in ("queued", "running", "graded", "review", "failed")
        },
        "grades": [grade_view(g, staff=True) for g in grades],
    }


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
