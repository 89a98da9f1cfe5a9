"""Publish course folders into the service database.

A folder that passes ``nbcampus course check`` replaces the stored version of its course; one that
fails leaves the previous version live and its problems are reported (with file and line).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.course.loader import COURSE_FILE, CourseFileError, load_course, scan_courses
from nbcampus.course.model import Course
from nbcampus.course.problem import Problem
from nbcampus.school.catalog.api import SELF_PACED, Cohort, CourseRecord, get_course
from nbcampus.school.core.api import CampusError, NotFound, audit
from nbcampus.school.enrolment.api import Enrolment, Learner, RosterEntry, enrol
from nbcampus.school.exchange import api as exchange
from nbcampus.school.exchange.api import LESSONS
from nbcampus.school.publishing.releases import generate_release, lesson_files, source_hash
from nbcampus.school.quizzes.api import publish_quizzes


@dataclass
class SyncReport:
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: dict[str, list[Problem]] = field(default_factory=dict)
    released: dict[str, list[str]] = field(default_factory=dict)


def _hash(course: Course) -> str:
    return hashlib.sha256(json.dumps(course.data, sort_keys=True, default=str).encode()).hexdigest()


def _day_start(day: str) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time.min, tzinfo=UTC)


def publish_course(session: Session, course: Course, actor: str = "system") -> bool:
    """Store ``course`` (already checked); return False when nothing changed."""
    digest = _hash(course)
    record = session.get(CourseRecord, course.id, with_for_update=True)
    if record is not None and record.source_hash == digest and record.active:
        return False
    enrolment = course.data["enrolment"]
    if record is None:
        record = CourseRecord(id=course.id)
        session.add(record)
    record.title = course.title
    record.format = course.format
    record.pedagogy = course.data["pedagogy"]
    record.seat_cap = enrolment.get("seat_cap")
    record.waitlist = bool(enrolment.get("waitlist", False))
    record.data = course.data
    record.source_hash = digest
    record.active = True
    session.flush()

    existing = {
        c.name: c for c in session.scalars(select(Cohort).where(Cohort.course_id == course.id))
    }
    pacing = course.data["pacing"]
    runs = pacing.get("runs", []) if pacing["mode"] == "cohort" else []
    wanted = {run["id"]: (_day_start(run["start"]), _day_start(run["end"])) for run in runs}
    if pacing["mode"] == "self-paced":
        wanted[SELF_PACED] = (None, None)
    for name, (starts, ends) in wanted.items():
        cohort = existing.get(name) or Cohort(course_id=course.id, name=name)
        cohort.starts_at, cohort.ends_at = starts, ends
        session.add(cohort)

    roster = enrolment.get("roster")
    if roster:
        listed = set()
        with (course.path / roster).open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                name = (row.get("username") or "").strip()
                if name:
                    listed.add(name)
        known = set(
            session.scalars(select(RosterEntry.username).where(RosterEntry.course_id == course.id))
        )
        for name in sorted(listed - known):
            session.add(
                RosterEntry(course_id=course.id, username=name, added_by=f"{COURSE_FILE}:{roster}")
            )
    audit(session, actor, "course.publish", course.id, hash=digest)
    return True


def release_materials(
    db, course: Course, exchange_dir: Path, release_cache: Path | None = None
) -> list[str]:
    """Release the course's lessons and generated exercises whose sources changed.

    An assignment an instructor released by hand (no source hash) is left as it is. With
    ``release_cache``, exercises made before from the same source are not made again.
    """
    done = []
    wanted = {LESSONS: None}
    wanted.update({assignment_id: None for assignment_id in course.assignment_ids()})
    for item in wanted:
        if item == LESSONS:
            files = lesson_files(course)
            digest = hashlib.sha256(
                json.dumps(
                    {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}, sort_keys=True
                ).encode()
            ).hexdigest()
        else:
            files = None
            digest = source_hash(course.path / "source" / item)
        with db.session() as session:
            current = exchange.current_release(session, course.id, item)
            if current is not None and (
                current.source_hash is None or current.source_hash == digest
            ):
                continue
        key = None
        if files is None:
            files, key = generate_release(
                course.path / "source" / item, course.id, cache=release_cache
            )
        with db.session() as session:
            record = exchange.release(
                session, exchange_dir, course.id, item, files, actor="system", source_hash=digest
            )
            if key is not None:
                exchange.store_grading_key(exchange_dir, record, key)
        done.append(item)
    return done


def seed_enrolments(db, enrolments: dict[str, list[str]]) -> list[str]:
    """Enrol people by name (the demo's learners); already enrolled ones are left alone."""
    done = []
    for username, course_ids in enrolments.items():
        for course_id in course_ids:
            try:
                with db.session() as session:
                    # once only: someone who left the course since is not put back at a restart
                    known = session.scalar(
                        select(Enrolment.id).where(
                            Enrolment.course_id == course_id, Enrolment.username == username
                        )
                    )
                    if known is not None:
                        continue
                    enrolment = enrol(
                        session,
                        course_id,
                        Learner(username),
                        actor="seed",
                        admit=True,
                        reason="seed file",
                    )
                    done.append(f"{username}:{course_id}:{enrolment.status}")
            except CampusError as e:
                done.append(f"{username}:{course_id}: {e.message}")
    return done


def sync_catalog(
    db,
    courses_dir: str | Path,
    actor: str = "system",
    exchange_dir: Path | None = None,
    release_cache: Path | None = None,
) -> SyncReport:
    """Publish every course folder under ``courses_dir``; each in its own transaction.

    With ``exchange_dir``, lessons and exercises are released too (exercises made by nbgrader,
    or taken from ``release_cache`` where made before from the same source).
    """
    report = SyncReport()
    published = []
    for folder, course, problems in scan_courses(courses_dir):
        if course is None:
            report.rejected[folder.name] = problems
            continue
        with db.session() as session:
            changed = publish_course(session, course, actor)
            # the quiz keys stay in the service; learners get the questions from the API
            quizzes_changed = publish_quizzes(session, course)
        changed = changed or bool(quizzes_changed)
        (report.published if changed else report.unchanged).append(course.id)
        published.append(course)
    if exchange_dir is not None and published:
        # nbgrader runs as a subprocess per assignment: one course per core at a time
        with ThreadPoolExecutor(max(1, min(len(published), os.cpu_count() or 1))) as pool:
            done = pool.map(
                lambda c: release_materials(db, c, exchange_dir, release_cache), published
            )
            for course, items in zip(published, done, strict=True):
                report.released[course.id] = items
    return report


def release_exercise(
    db,
    courses_dir: str | Path,
    course_id: str,
    assignment_id: str,
    *,
    actor: str,
    exchange_dir: Path,
) -> dict[str, Any]:
    """Release one exercise from its course folder on the service (the instructor's Release
    button): nbgrader makes it from the folder's source, so nothing is needed in the
    instructor's home. An unchanged source keeps the current release (``changed`` False).
    Errors name the course and the exercise, never a path of the server."""
    with db.session(readonly=True) as session:
        get_course(session, course_id)  # 404 for a course not published
    folder = Path(courses_dir) / course_id
    try:
        course = load_course(folder)
    except CourseFileError as e:
        # the course file's problems, relative to the course folder
        raise CampusError(str(e).replace(f"{folder}/", ""), status=422) from None
    if assignment_id not in course.assignment_ids():
        raise NotFound(f"{course_id} has no exercise {assignment_id!r} in its course file")
    source = course.path / "source" / assignment_id
    digest = source_hash(source)
    with db.session() as session:
        current = exchange.current_release(session, course_id, assignment_id)
        if current is not None and current.source_hash == digest:
            return {**_release_json(current), "changed": False}
    files, key = generate_release(source, course_id)
    with db.session() as session:
        record = exchange.release(
            session, exchange_dir, course_id, assignment_id, files, actor=actor, source_hash=digest
        )
        exchange.store_grading_key(exchange_dir, record, key)
        return {**_release_json(record), "changed": True}


def _release_json(record) -> dict[str, Any]:
    return {
        "release_id": record.id,
        "files": sorted(record.files),
        "released_at": record.released_at.isoformat(),
    }
