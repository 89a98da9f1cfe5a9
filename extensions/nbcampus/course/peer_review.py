"""An assignment's peer review in the course file (docs/course-format.md)::

    peer_review:
      rubric:
        - id: clarity
          title: Clarity
          levels: [{points: 0, description: Hard to follow}, {points: 2, description: Clear}]
      reviews_required: 2        # each learner gives (default 2)
      reviews_wanted: 2          # each submission should receive (default 2)
      self_assessment: false
      reservation_hours: 8       # a reservation to review lasts this long
      review_due_offset_days: 14 # the review phase ends (the submission phase: due_offset_days)
      flexible_after_days: 7     # then ceil(flexible_fraction * reviews_wanted) reviews suffice
      flexible_fraction: 0.3
      calibration:               # optional: practice on staff-assessed examples first
        examples:                # 1..10, passed in order
          - answer: "an example answer (markdown)"
            levels: {clarity: 1} # the staff's reference: a level index per criterion
            explanation: "why these levels (markdown, optional)"
        tolerance: 0             # points a learner's level may be off, per criterion

The peer grade fills the manually graded parts of the assignment's notebooks, so a
peer-reviewed assignment needs at least one manually graded cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,62}$"}
_LEVEL = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "points": {"type": "number", "minimum": 0, "maximum": 1000},
        "description": {"type": "string", "minLength": 1, "maxLength": 2000},
    },
    "required": ["points", "description"],
}
_CRITERION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "levels": {"type": "array", "minItems": 2, "maxItems": 10, "items": _LEVEL},
    },
    "required": ["id", "title", "levels"],
}
_COUNT = {"type": "integer", "minimum": 1, "maximum": 20}
_MARKDOWN = {"type": "string", "minLength": 1, "maxLength": 20_000}
_EXAMPLE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "answer": _MARKDOWN,
        # level indexes are checked against the rubric by peer_review_problems (with the path)
        "levels": {"type": "object", "additionalProperties": {"type": "integer"}},
        "explanation": _MARKDOWN,
    },
    "required": ["answer", "levels"],
}
_CALIBRATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "examples": {"type": "array", "minItems": 1, "maxItems": 10, "items": _EXAMPLE},
        "tolerance": {"type": "number", "minimum": 0, "maximum": 1000},
    },
    "required": ["examples"],
}
_DAYS = {"type": "number", "minimum": 0, "maximum": 366}

#: the ``peer_review`` key of an assignment in the course schema
PEER_REVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rubric": {"type": "array", "minItems": 1, "maxItems": 20, "items": _CRITERION},
        "reviews_required": _COUNT,
        "reviews_wanted": _COUNT,
        "self_assessment": {"type": "boolean"},
        "reservation_hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 336},
        "review_due_offset_days": _DAYS,
        "flexible_after_days": _DAYS,
        "flexible_fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "calibration": _CALIBRATION,
    },
    "required": ["rubric"],
}


def _manual_cells(source: Path) -> int:
    count = 0
    for path in sorted(source.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # the notebook checks report it
            continue
        for cell in nb.cells:
            marks = cell.get("metadata", {}).get("nbgrader", {})
            if marks.get("grade") and marks.get("solution"):
                count += 1
    return count


def peer_review_problems(
    path: tuple[Any, ...], assignment: dict[str, Any], source: Path
) -> list[tuple[tuple[Any, ...], str, str]]:
    """The problems of a schema-valid ``peer_review`` block of the assignment at ``path``:
    (path under the course, message, fix)."""
    block = assignment["peer_review"]
    where = path + ("peer_review",)
    name = f"assignment {assignment['id']!r}"
    found = []
    seen: set[str] = set()
    for i, criterion in enumerate(block["rubric"]):
        if criterion["id"] in seen:
            found.append(
                (
                    where + ("rubric", i, "id"),
                    f"{name}: rubric criterion {criterion['id']!r} is used twice",
                    "give each criterion its own id",
                )
            )
        seen.add(criterion["id"])
        points = [level["points"] for level in criterion["levels"]]
        if points != sorted(points) or len(set(points)) != len(points):
            found.append(
                (
                    where + ("rubric", i, "levels"),
                    f"{name}: the levels of criterion {criterion['id']!r} must give rising points",
                    "list the levels from the fewest points to the most, each different",
                )
            )
    review_due = block.get("review_due_offset_days")
    if review_due is not None and review_due <= assignment["due_offset_days"]:
        found.append(
            (
                where + ("review_due_offset_days",),
                f"{name}: the review phase ends (day {review_due:g}) before the submission "
                f"phase does (due_offset_days {assignment['due_offset_days']:g})",
                "make review_due_offset_days later than due_offset_days",
            )
        )
    required, wanted = block.get("reviews_required", 2), block.get("reviews_wanted", 2)
    if wanted > required:
        found.append(
            (
                where + ("reviews_wanted",),
                f"{name}: each submission wants {wanted} reviews but each learner gives only "
                f"{required}: some would wait forever",
                "make reviews_wanted at most reviews_required",
            )
        )
    if "calibration" in block:
        found.extend(_calibration_problems(where + ("calibration",), name, block))
    if source.is_dir() and _manual_cells(source) == 0:
        found.append(
            (
                where,
                f"{name}: a peer-reviewed assignment needs a manually graded cell "
                "(the peer grade fills it)",
                "add an nbgrader manually graded answer cell (grade and solution) to its notebook",
            )
        )
    return found


def _calibration_problems(
    where: tuple[Any, ...], name: str, block: dict[str, Any]
) -> list[tuple[tuple[Any, ...], str, str]]:
    """Each example's reference assessment: a level of every criterion of the rubric, no other."""
    criteria = {c["id"]: len(c["levels"]) for c in block["rubric"]}
    found = []
    for i, example in enumerate(block["calibration"]["examples"]):
        at = where + ("examples", i, "levels")
        what = f"{name}: calibration example {i + 1}"
        for criterion, level in example["levels"].items():
            if criterion not in criteria:
                found.append(
                    (
                        at + (criterion,),
                        f"{what} gives a level for {criterion!r}, which is not a rubric criterion",
                        f"use the rubric's criteria: {', '.join(criteria)}",
                    )
                )
            elif not 0 <= level < criteria[criterion]:
                found.append(
                    (
                        at + (criterion,),
                        f"{what}: level {level} of {criterion!r} does not exist "
                        f"(its levels are 0 to {criteria[criterion] - 1})",
                        "give the index of a level in the criterion's levels, counting from 0",
                    )
                )
        missing = [c for c in criteria if c not in example["levels"]]
        if missing:
            found.append(
                (
                    at,
                    f"{what} gives no reference level for {', '.join(map(repr, missing))}",
                    "give the staff's level for every criterion of the rubric",
                )
            )
    return found
