"""Calibration: before reviewing peers, a learner assesses the course's example answers against
the rubric until each agrees with the staff's reference assessment.

Examples come in the course file's order; a learner gets the first one not passed yet. An
attempt passes when every criterion's points are at most ``tolerance`` points from the
reference's; each attempt is stored. The feedback says per criterion "agrees", "too high" or
"too low"; the reference levels and the staff's explanation are shown only once the example is
passed, so a retry cannot copy them. A learner is calibrated once every example is passed; the
allocation of peers' work waits for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, Conflict, Forbidden, NotFound, Permissions
from nbcampus.school.discussion.api import render
from nbcampus.school.peer_review.members import learner
from nbcampus.school.peer_review.models import PeerCalibration
from nbcampus.school.peer_review.rubric import (
    Calibration,
    PeerSettings,
    assess,
    peer_settings,
    rubric_view,
)

AGREES, TOO_HIGH, TOO_LOW = "agrees", "too high", "too low"


def passed_examples(session: Session, course_id: str, item: str, username: str) -> set[int]:
    """The indexes of the calibration examples of ``item`` the learner passed."""
    return set(
        session.scalars(
            select(PeerCalibration.example).where(
                PeerCalibration.course_id == course_id,
                PeerCalibration.assignment_id == item,
                PeerCalibration.username == username,
                PeerCalibration.passed.is_(True),
            )
        )
    )


def _next(calibration: Calibration, passed: set[int]) -> int | None:
    return next((i for i in range(len(calibration.examples)) if i not in passed), None)


def _left(calibration: Calibration, passed: set[int]) -> int:
    """How many examples are not passed yet (passes of examples since removed do not count)."""
    return sum(1 for i in range(len(calibration.examples)) if i not in passed)


def calibration_status(
    session: Session, settings: PeerSettings, course_id: str, username: str
) -> dict[str, Any] | None:
    """``{examples, passed, calibrated}`` of the learner, or None where there is no calibration."""
    if settings.calibration is None:
        return None
    count = len(settings.calibration.examples)
    left = _left(settings.calibration, passed_examples(session, course_id, settings.item, username))
    return {"examples": count, "passed": count - left, "calibrated": left == 0}


def require_calibrated(
    session: Session, settings: PeerSettings, course_id: str, username: str
) -> None:
    """Forbidden (403) until the learner passed every calibration example of the item."""
    status = calibration_status(session, settings, course_id, username)
    if status is not None and not status["calibrated"]:
        raise Forbidden(
            f"practise on the {status['examples']} calibration examples of {settings.item!r} "
            f"first ({status['passed']} passed): GET its calibration for the next one"
        )


def _calibrated(session: Session, permissions: Permissions, course_id: str, item: str):
    course, _ = learner(session, permissions, course_id)
    settings = peer_settings(course.data, item)
    if settings.calibration is None:
        raise NotFound(f"{item!r} has no calibration examples")
    return settings, settings.calibration


def next_example(
    session: Session, permissions: Permissions, course_id: str, item: str
) -> dict[str, Any]:
    """The first example the caller has not passed (its answer as safe HTML, the rubric), or
    ``calibrated: true`` with no example once every one is passed."""
    settings, calibration = _calibrated(session, permissions, course_id, item)
    passed = passed_examples(session, course_id, item, permissions.username)
    index = _next(calibration, passed)
    return {
        "item": item,
        "examples": len(calibration.examples),
        "passed": len(calibration.examples) - _left(calibration, passed),
        "calibrated": index is None,
        "index": index,
        "answer_html": None if index is None else render(calibration.examples[index].answer),
        "tolerance": calibration.tolerance,
        "rubric": rubric_view(settings),
    }


def verdicts(
    settings: PeerSettings, reference: dict[str, int], points: dict[str, float]
) -> dict[str, str]:
    """Per criterion: the learner's points against the reference level's, within tolerance."""
    tolerance = settings.calibration.tolerance if settings.calibration else 0.0
    found = {}
    for criterion in settings.rubric:
        expected = float(criterion["levels"][reference[criterion["id"]]]["points"])
        off = points[criterion["id"]] - expected
        found[criterion["id"]] = (
            AGREES if abs(off) <= tolerance + 1e-9 else TOO_HIGH if off > 0 else TOO_LOW
        )
    return found


def practise(
    session: Session,
    permissions: Permissions,
    course_id: str,
    item: str,
    body: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Assess example ``index`` (the next one not passed: else 409) with a level per criterion
    (400 naming a bad one); the attempt is stored. The reference and the explanation come back
    only when it passed."""
    settings, calibration = _calibrated(session, permissions, course_id, item)
    passed = passed_examples(session, course_id, item, permissions.username)
    index = _next(calibration, passed)
    if index is None:
        raise Conflict(f"you passed every calibration example of {item!r}: review your peers")
    if body["index"] != index:
        raise Conflict(
            f"practise on calibration example {index} of {item!r} next, not {body['index']}"
        )
    levels = body["levels"]
    if not isinstance(levels, dict):
        raise CampusError("levels: give a level index per criterion")
    content = assess(settings, levels)
    example = calibration.examples[index]
    criteria = verdicts(settings, example.levels, content.points)
    ok = all(v == AGREES for v in criteria.values())
    session.add(
        PeerCalibration(
            course_id=course_id,
            assignment_id=item,
            username=permissions.username,
            example=index,
            levels=content.levels,
            passed=ok,
            created_at=now,
        )
    )
    session.flush()
    left = _left(calibration, passed | ({index} if ok else set()))
    return {
        "item": item,
        "index": index,
        "passed": ok,
        "criteria": criteria,
        "reference": dict(example.levels) if ok else None,
        "explanation_html": (render(example.explanation) if example.explanation else "")
        if ok
        else None,
        "examples": len(calibration.examples),
        "calibrated": left == 0,
    }
