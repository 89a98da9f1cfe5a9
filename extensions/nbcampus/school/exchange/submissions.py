"""The exchange's rules: releases, submissions and feedback (framework-free)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import Forbidden, NotFound, utcnow
from nbcampus.school.deadlines.api import resolve_deadlines
from nbcampus.school.enrolment.api import ENROLLED, Enrolment, find_enrolment
from nbcampus.school.exchange import paths
from nbcampus.school.exchange.models import LESSONS, Feedback, Release, Submission
from nbcampus.school.exchange.storage import manifest, store_files


def assignment_of(course_data: dict[str, Any], assignment_id: str) -> dict[str, Any]:
    for module in course_data["modules"]:
        for assignment in module.get("assignments", []):
            if assignment["id"] == assignment_id:
                return assignment
    raise NotFound(f"{course_data['id']} has no assignment {assignment_id!r}")


def current_release(session: Session, course_id: str, assignment_id: str) -> Release | None:
    return session.scalar(
        select(Release).where(
            Release.course_id == course_id,
            Release.assignment_id == assignment_id,
            Release.current.is_(True),
        )
    )


def release(
    session: Session,
    root: Path,
    course_id: str,
    assignment_id: str,
    files: dict[str, bytes],
    *,
    actor: str,
    source_hash: str | None = None,
) -> Release:
    """Store one copy of the released files and make it the current release."""
    course = get_course(session, course_id, lock=True)
    if assignment_id != LESSONS:
        assignment_of(course.data, assignment_id)
    stamp = utcnow()
    relative = paths.release_folder(course_id, assignment_id, stamp)
    store_files(root, relative, files)
    session.execute(
        update(Release)
        .where(Release.course_id == course_id, Release.assignment_id == assignment_id)
        .values(current=False)
    )
    record = Release(
        course_id=course_id,
        assignment_id=assignment_id,
        source_hash=source_hash,
        released_by=actor,
        released_at=stamp,
        storage=relative,
        files=manifest(files),
        current=True,
    )
    session.add(record)
    session.flush()
    return record


def grading_key_path(root: Path, release: Release) -> Path:
    """Where the grading key (nbgrader gradebook with hidden tests) of a release is kept: outside
    the release folder, never served to anyone."""
    return paths.grading_key_file(root, release.storage)


def store_grading_key(root: Path, release: Release, key: bytes) -> Path:
    path = grading_key_path(root, release)
    store_files(path.parent.parent, path.parent.name, {path.name: key})
    return path


def submit(
    session: Session,
    root: Path,
    course_id: str,
    assignment_id: str,
    username: str,
    files: dict[str, bytes],
    received_at: datetime,
) -> Submission:
    """Store a new attempt, timestamped ``received_at`` (server clock, taken when the upload
    ended). Refused after the hard close. Files are durable before the row is added."""
    course = get_course(session, course_id)
    assignment_of(course.data, assignment_id)  # 404 for an assignment the course lacks
    enrolment = find_enrolment(session, course_id, username, active=True)
    # one submission at a time per learner, across service replicas: lock their enrolment row
    # (SQLite: BEGIN IMMEDIATE) so two uploads cannot take the same attempt number
    session.get(Enrolment, enrolment.id, with_for_update=True)
    if current_release(session, course_id, assignment_id) is None:
        raise NotFound(f"{course_id}/{assignment_id} has not been released")
    deadline = resolve_deadlines(session, course.data, enrolment)[assignment_id]
    due, status = deadline.due_at, deadline.status(received_at)
    if not status.accepted:
        raise Forbidden(
            f"{assignment_id} closed at {status.closes_at.isoformat()} (server time); "
            f"this submission arrived at {received_at.isoformat()}"
        )
    files = {name: data for name, data in files.items() if Path(name).name != "timestamp.txt"}
    attempt = 1 + (
        session.scalar(
            select(func.max(Submission.attempt)).where(
                Submission.course_id == course_id,
                Submission.assignment_id == assignment_id,
                Submission.username == username,
            )
        )
        or 0
    )
    submission_id = uuid.uuid4().hex
    relative = paths.submission_folder(course_id, assignment_id, username, submission_id)
    store_files(root, relative, files)
    record = Submission(
        id=submission_id,
        course_id=course_id,
        assignment_id=assignment_id,
        username=username,
        attempt=attempt,
        received_at=received_at,
        due_at=due,
        late_stage=status.stage,
        credit_percent=status.credit_percent,
        storage=relative,
        files=manifest(files),
        size=sum(len(d) for d in files.values()),
    )
    session.add(record)
    session.flush()
    return record


def submission_view(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "course_id": s.course_id,
        "assignment_id": s.assignment_id,
        "username": s.username,
        "attempt": s.attempt,
        "received_at": s.received_at.isoformat(),
        "due_at": s.due_at.isoformat() if s.due_at else None,
        "files": sorted(s.files),
        "size": s.size,
        "late": {"stage": s.late_stage, "credit_percent": s.credit_percent},
    }


def list_submissions(
    session: Session, course_id: str, assignment_id: str, latest: bool
) -> list[Submission]:
    query = select(Submission).where(
        Submission.course_id == course_id, Submission.assignment_id == assignment_id
    )
    if latest:
        newest = (
            select(Submission.username, func.max(Submission.attempt).label("attempt"))
            .where(Submission.course_id == course_id, Submission.assignment_id == assignment_id)
            .group_by(Submission.username)
            .subquery()
        )
        query = query.join(
            newest,
            (Submission.username == newest.c.username) & (Submission.attempt == newest.c.attempt),
        )
    return list(session.scalars(query.order_by(Submission.username, Submission.attempt)))


def add_feedback(
    session: Session, root: Path, submission: Submission, files: dict[str, bytes], *, actor: str
) -> Feedback:
    relative = paths.feedback_folder(
        submission.course_id, submission.assignment_id, submission.username, submission.id
    )
    store_files(root, relative, files)
    feedback = Feedback(
        submission_id=submission.id, released_by=actor, storage=relative, files=manifest(files)
    )
    session.add(feedback)
    session.flush()
    return feedback


def latest_feedback(session: Session, submission_id: str) -> Feedback | None:
    return session.scalar(
        select(Feedback)
        .where(Feedback.submission_id == submission_id)
        .order_by(Feedback.id.desc())
        .limit(1)
    )


def assignments_for(
    session: Session, username: str, staff_courses: set[str], course_filter: str | None
) -> list[dict[str, Any]]:
    """Released assignments of the courses ``username`` is enrolled in or teaches."""
    enrolments = {
        e.course_id: e
        for e in session.scalars(
            select(Enrolment).where(Enrolment.username == username, Enrolment.status == ENROLLED)
        )
    }
    course_ids = set(enrolments) | staff_courses
    if course_filter:
        course_ids &= {course_filter}
    releases = session.scalars(
        select(Release)
        .where(
            Release.course_id.in_(course_ids),
            Release.current.is_(True),
            Release.assignment_id != LESSONS,
        )
        .order_by(Release.course_id, Release.assignment_id)
    )
    mine = list(
        session.scalars(
            select(Submission)
            .where(Submission.username == username, Submission.course_id.in_(course_ids))
            .order_by(Submission.attempt)
        )
    )
    feedback = {
        f.submission_id: f
        for f in session.scalars(
            select(Feedback).where(Feedback.submission_id.in_([s.id for s in mine]))
        )
    }
    out = []
    deadlines_cache: dict[str, dict] = {}
    for rel in releases:
        course = get_course(session, rel.course_id)
        assignment = assignment_of(course.data, rel.assignment_id)
        due = None
        if rel.course_id in enrolments:
            if rel.course_id not in deadlines_cache:
                deadlines_cache[rel.course_id] = resolve_deadlines(
                    session, course.data, enrolments[rel.course_id]
                )
            due = deadlines_cache[rel.course_id][rel.assignment_id].due_at.isoformat()
        subs = [
            s for s in mine if s.course_id == rel.course_id and s.assignment_id == rel.assignment_id
        ]
        out.append(
            {
                "course_id": rel.course_id,
                "assignment_id": rel.assignment_id,
                "title": assignment["title"],
                "points": assignment["points"],
                "release_id": rel.id,
                "released_at": rel.released_at.isoformat(),
                "files": sorted(rel.files),
                "due_at": due,
                "late_policy": assignment.get("late_policy"),
                "submissions": [submission_view(s) for s in subs],
                "feedback": [
                    {"submission_id": s.id, "released_at": feedback[s.id].released_at.isoformat()}
                    for s in subs
                    if s.id in feedback
                ],
            }
        )
    return out


def get_submission(
    session: Session, submission_id: str, course_id: str | None = None
) -> Submission:
    """A submission by id (of ``course_id`` when given), or NotFound."""
    submission = session.get(Submission, submission_id)
    if submission is None or (course_id is not None and submission.course_id != course_id):
        where = f" in {course_id}" if course_id else ""
        raise NotFound(f"no submission {submission_id}{where}")
    return submission


def is_latest_attempt() -> ColumnElement[bool]:
    """SQL: the ``Submission`` row of a query is its learner's latest attempt at its assignment
    (no later attempt exists)."""
    later = aliased(Submission)
    return ~exists().where(
        later.course_id == Submission.course_id,
        later.assignment_id == Submission.assignment_id,
        later.username == Submission.username,
        later.attempt > Submission.attempt,
    )
