"""Learning activity: batches of events a learner's JupyterLab reports, checked and stored.

An event says that a learner connected, opened a notebook, spent active seconds on it, ran
cells in it or played parts of a video lesson. Nothing else is accepted (no keystrokes, no cell
content): a notebook path, a kind, a duration, a count and the stretches of a video played. The server's clock stamps each event on receipt; the module it counts
toward is derived from the notebook's path and the course file, never taken from the client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.api import CampusError, utcnow
from nbcampus.school.enrolment.api import find_enrolment
from nbcampus.school.progress.models import ACTIVITY_KINDS, ActivityEvent
from nbcampus.school.progress.videos import Segments, parse_segments, record_watch

#: most events in one batch (the extension sends one batch a minute at most)
MAX_EVENTS = 200
#: most active seconds one event may claim (the extension reports every minute or so)
MAX_SECONDS = 3600
#: most executions one event may claim
MAX_COUNT = 10_000
MAX_NOTEBOOK_CHARS = 500
_FIELDS = {"course_id", "kind", "notebook", "seconds", "count", "segments"}


@dataclass(frozen=True)
class Activity:
    """One checked event, before it is stored."""

    course_id: str
    kind: str
    notebook: str | None
    seconds: int
    count: int
    #: the stretches of a video played (watch events only)
    segments: Segments | None = None


def _bounded_int(value: Any, name: str, where: str, high: int) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise CampusError(f"{where}: {name} must be a whole number")
    if not 0 <= value <= high:
        raise CampusError(f"{where}: {name} must be between 0 and {high}")
    return value


def _notebook_path(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_NOTEBOOK_CHARS:
        raise CampusError(
            f"{where}: notebook must be a path of 1 to {MAX_NOTEBOOK_CHARS} characters"
        )
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value or "\x00" in value:
        raise CampusError(f"{where}: notebook must be a relative path inside the workspace")
    return str(path)


def parse_events(body: dict[str, Any]) -> list[Activity]:
    """Check a request body ``{"events": [...]}``; raise CampusError saying which event is wrong."""
    extra = set(body) - {"events"}
    if extra:
        raise CampusError(f"unknown field(s) {sorted(extra)}: send only 'events'")
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise CampusError("events must be a non-empty list")
    if len(events) > MAX_EVENTS:
        raise CampusError(f"at most {MAX_EVENTS} events per batch (got {len(events)})", 413)
    parsed = []
    for i, event in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(event, dict):
            raise CampusError(f"{where}: an event is an object")
        unknown = set(event) - _FIELDS
        if unknown:
            raise CampusError(f"{where}: unknown field(s) {sorted(unknown)}")
        course_id, kind = event.get("course_id"), event.get("kind")
        if not isinstance(course_id, str) or not course_id:
            raise CampusError(f"{where}: course_id is required")
        if kind not in ACTIVITY_KINDS:
            raise CampusError(f"{where}: kind must be one of {', '.join(ACTIVITY_KINDS)}")
        notebook = _notebook_path(event.get("notebook"), where)
        if kind != "connect" and notebook is None:
            raise CampusError(f"{where}: a {kind} event names its notebook")
        seconds = _bounded_int(event.get("seconds"), "seconds", where, MAX_SECONDS)
        count = _bounded_int(event.get("count"), "count", where, MAX_COUNT)
        segments = None
        if kind == "watch":
            segments = parse_segments(event.get("segments"), where)
            seconds = min(MAX_SECONDS, round(sum(end - start for start, end in segments)))
        elif "segments" in event:
            raise CampusError(f"{where}: only a watch event has segments")
        parsed.append(Activity(course_id, kind, notebook, seconds, count, segments))
    return parsed


def module_of(course_data: dict[str, Any], notebook: str | None) -> str | None:
    """The module a notebook belongs to: a lesson or quiz file of the module, or a file under an
    exercise folder (``<assignment id>/...``), with or without the ``<course id>/`` prefix."""
    if not notebook:
        return None
    parts = PurePosixPath(notebook).parts
    if parts and parts[0] == course_data["id"]:
        parts = parts[1:]
    relative = "/".join(parts)
    for module in course_data["modules"]:
        # as a batch names them: normalised paths (an address's '//' becomes '/')
        files = {str(PurePosixPath(lesson["file"])) for lesson in module.get("lessons", [])}
        if module.get("quiz"):
            files.add(module["quiz"]["file"])
        if relative in files:
            return module["id"]
        assignments = {a["id"] for a in module.get("assignments", [])}
        if parts and parts[0] in assignments:
            return module["id"]
    return None


def record_activity(session: Session, username: str, events: Iterable[Activity]) -> int:
    """Store the events of one batch for ``username`` (all or none); return how many.

    Unknown courses are refused (404), as are courses the learner is not enrolled in (403).
    """
    events = list(events)
    now = utcnow()
    courses: dict[str, dict[str, Any]] = {}
    for course_id in sorted({e.course_id for e in events}):
        course = get_course(session, course_id)
        find_enrolment(session, course_id, username, active=True)  # 403 unless enrolled
        courses[course_id] = course.data
    for event in events:
        seconds = event.seconds
        if event.segments is not None:
            played = record_watch(
                session, username, courses[event.course_id], event.notebook, event.segments
            )
            seconds = min(MAX_SECONDS, round(played))
        session.add(
            ActivityEvent(
                username=username,
                course_id=event.course_id,
                module_id=module_of(courses[event.course_id], event.notebook),
                kind=event.kind,
                notebook=event.notebook,
                seconds=seconds,
                count=event.count,
                at=now,
            )
        )
    session.flush()
    return len(events)


def my_notebooks(session: Session, username: str, course_id: str) -> list[dict[str, Any]]:
    """The notebooks of one course ``username`` has worked in, from their own activity: when
    first and last seen, active seconds and executions (the panel's "in progress")."""
    get_course(session, course_id)  # 404 for an unknown course
    rows = session.execute(
        select(
            ActivityEvent.notebook,
            func.min(ActivityEvent.at),
            func.max(ActivityEvent.at),
            func.sum(ActivityEvent.seconds),
            func.sum(ActivityEvent.count),
        )
        .where(
            ActivityEvent.username == username,
            ActivityEvent.course_id == course_id,
            ActivityEvent.notebook.is_not(None),
        )
        .group_by(ActivityEvent.notebook)
        .order_by(ActivityEvent.notebook)
    )
    return [
        {
            "notebook": notebook,
            "first_at": first.isoformat(),
            "last_at": last.isoformat(),
            "seconds": int(seconds or 0),
            "executions": int(count or 0),
        }
        for notebook, first, last, seconds, count in rows
    ]


def last_active(session: Session, course_id: str) -> dict[str, datetime]:
    """When each learner of the course was last active in it (any event), by username; a
    learner never seen is absent."""
    rows = session.execute(
        select(ActivityEvent.username, func.max(ActivityEvent.at))
        .where(ActivityEvent.course_id == course_id)
        .group_by(ActivityEvent.username)
    )
    return {username: at for username, at in rows}


def started_modules(session: Session, course_id: str) -> dict[str, set[str]]:
    """The modules each learner has started (worked in a notebook of it), by username."""
    rows = session.execute(
        select(ActivityEvent.username, ActivityEvent.module_id)
        .where(ActivityEvent.course_id == course_id, ActivityEvent.module_id.is_not(None))
        .distinct()
    )
    started: dict[str, set[str]] = {}
    for username, module_id in rows:
        started.setdefault(username, set()).add(module_id)
    return started
