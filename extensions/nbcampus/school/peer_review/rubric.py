"""An assignment's peer review as the course file sets it (``peer_review:`` under the
assignment), and a review checked against its rubric."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nbcampus.school.core.api import CampusError, NotFound
from nbcampus.school.discussion.api import MAX_BODY_CHARS, render

DEFAULTS = {
    "reviews_required": 2,
    "reviews_wanted": 2,
    "self_assessment": False,
    "reservation_hours": 8,
    "flexible_after_days": 7,
    "flexible_fraction": 0.3,
}


@dataclass(frozen=True)
class CalibrationExample:
    """An example answer (markdown) with the staff's reference levels and why (markdown)."""

    answer: str
    levels: dict[str, int]
    explanation: str


@dataclass(frozen=True)
class Calibration:
    """Examples a learner assesses, in order, before reviewing peers; a level agrees with the
    reference when its points are at most ``tolerance`` points from the reference's."""

    examples: tuple[CalibrationExample, ...]
    tolerance: float


def _calibration(block: dict[str, Any] | None) -> Calibration | None:
    if block is None:
        return None
    return Calibration(
        examples=tuple(
            CalibrationExample(e["answer"], dict(e["levels"]), e.get("explanation", ""))
            for e in block["examples"]
        ),
        tolerance=float(block.get("tolerance", 0)),
    )


@dataclass(frozen=True)
class PeerSettings:
    """One peer-reviewed assignment of a published course."""

    item: str
    title: str
    module: str
    points: float
    due_offset_days: float
    rubric: list[dict[str, Any]]
    reviews_required: int
    reviews_wanted: int
    self_assessment: bool
    reservation_hours: float
    review_due_offset_days: float
    flexible_after_days: float
    flexible_fraction: float
    calibration: Calibration | None = None

    @property
    def max_score(self) -> float:
        return float(sum(max(level["points"] for level in c["levels"]) for c in self.rubric))

    @property
    def flexible_count(self) -> int:
        """How many reviews suffice once the flexible wait has passed (at least one)."""
        return max(1, math.ceil(self.flexible_fraction * self.reviews_wanted - 1e-9))


def peer_items(course_data: dict[str, Any]) -> list[PeerSettings]:
    """The course's peer-reviewed assignments, in course order."""
    found = []
    for module in course_data.get("modules", []):
        for assignment in module.get("assignments", []):
            block = assignment.get("peer_review")
            if block is None:
                continue
            values = {**DEFAULTS, **block}
            found.append(
                PeerSettings(
                    item=assignment["id"],
                    title=assignment["title"],
                    module=module["id"],
                    points=float(assignment["points"]),
                    due_offset_days=float(assignment["due_offset_days"]),
                    rubric=list(block["rubric"]),
                    reviews_required=int(values["reviews_required"]),
                    reviews_wanted=int(values["reviews_wanted"]),
                    self_assessment=bool(values["self_assessment"]),
                    reservation_hours=float(values["reservation_hours"]),
                    review_due_offset_days=float(
                        values.get("review_due_offset_days", assignment["due_offset_days"] + 7)
                    ),
                    flexible_after_days=float(values["flexible_after_days"]),
                    flexible_fraction=float(values["flexible_fraction"]),
                    calibration=_calibration(block.get("calibration")),
                )
            )
    return found


def peer_settings(course_data: dict[str, Any], item: str) -> PeerSettings:
    """The peer review of one assignment; NotFound when it has none."""
    for settings in peer_items(course_data):
        if settings.item == item:
            return settings
    raise NotFound(f"{course_data['id']} has no peer-reviewed assignment {item!r}")


def rubric_view(settings: PeerSettings) -> list[dict[str, Any]]:
    """The rubric as clients show it: criteria with their levels (index, points, description)."""
    return [
        {
            "id": c["id"],
            "title": c["title"],
            "levels": [
                {"index": i, "points": float(level["points"]), "description": level["description"]}
                for i, level in enumerate(c["levels"])
            ],
        }
        for c in settings.rubric
    ]


@dataclass(frozen=True)
class Assessment:
    """A review's content, checked: levels, their points, comments and the safe HTML."""

    levels: dict[str, int]
    points: dict[str, float]
    comments: dict[str, str]
    comment: str
    comment_html: str


def assess(
    settings: PeerSettings,
    levels: dict[str, Any],
    comments: dict[str, Any] | None = None,
    comment: str | None = None,
) -> Assessment:
    """Check a review against the rubric: one level per criterion, comments on known criteria,
    each comment at most the discussion's body size (400 naming what is wrong)."""
    criteria = {c["id"]: c for c in settings.rubric}
    unknown = sorted(set(levels) - set(criteria))
    if unknown:
        raise CampusError(f"levels: unknown criterion {unknown[0]!r}")
    missing = [c for c in criteria if c not in levels]
    if missing:
        raise CampusError(f"levels: give a level for criterion {missing[0]!r}")
    points = {}
    for criterion, level in levels.items():
        count = len(criteria[criterion]["levels"])
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < count:
            raise CampusError(f"levels.{criterion}: {level!r} is not a level (0 to {count - 1})")
        points[criterion] = float(criteria[criterion]["levels"][level]["points"])
    comments = dict(comments or {})
    for criterion, text in comments.items():
        if criterion not in criteria:
            raise CampusError(f"comments: unknown criterion {criterion!r}")
        if not isinstance(text, str) or len(text) > MAX_BODY_CHARS:
            raise CampusError(f"comments.{criterion}: at most {MAX_BODY_CHARS} characters")
    comment = comment or ""
    if len(comment) > MAX_BODY_CHARS:
        raise CampusError(f"comment: at most {MAX_BODY_CHARS} characters")
    return Assessment(
        levels={c: int(levels[c]) for c in criteria},
        points=points,
        comments={c: t for c, t in comments.items() if t.strip()},
        comment=comment,
        comment_html=render(comment) if comment.strip() else "",
    )
