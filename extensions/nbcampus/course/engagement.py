"""The course file's engagement settings (docs/course-format.md): at-risk nudges and rewards::

    nudges:                        # optional: encouraging messages to learners at risk
      inactive_days: 7             # no activity in the course for this many days
      missed_deadline: true        # a dated item past its due date (the learner's own) and
                                   # not submitted
      module_not_started_days: 7   # a module not started this many days after it opened
    rewards:                       # optional: points, an opt-in leaderboard, streaks
      points:
        lesson: 10                 # per lesson completed
        exercise: 50               # per exercise at full score (in proportion to the score)
        quiz: 20                   # per quiz at full score (its best attempt, in proportion)
        accepted_answer: 15        # per discussion answer accepted
      leaderboard: true            # learners may opt in to a leaderboard of their cohort

Each rule and each kind of points is optional; a rule left out never fires, a kind of points
left out gives none.
"""

from __future__ import annotations

from typing import Any

_DAYS = {"type": "integer", "minimum": 1, "maximum": 366}
_POINTS = {"type": "integer", "minimum": 0, "maximum": 10_000}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "minProperties": 1,
    }
    if required:
        schema["required"] = required
    return schema


#: the rules of the nudge pass; the names are the ``rule`` of each nudge given
NUDGE_RULES = ("inactive", "missed_deadline", "module_not_started")

NUDGES_SCHEMA = _object(
    {
        "inactive_days": _DAYS,
        "missed_deadline": {"type": "boolean"},
        "module_not_started_days": _DAYS,
    }
)

#: what earns points, in the order the panel lists them
POINT_KINDS = ("lesson", "exercise", "quiz", "accepted_answer")

REWARDS_SCHEMA = _object(
    {
        "points": _object({kind: _POINTS for kind in POINT_KINDS}),
        "leaderboard": {"type": "boolean"},
    },
    ["points"],
)


def nudge_rules(course_data: dict[str, Any]) -> dict[str, Any]:
    """The rules a course turns on: ``{rule: days or True}`` (empty: no nudges)."""
    settings = course_data.get("nudges") or {}
    rules: dict[str, Any] = {}
    if settings.get("inactive_days"):
        rules["inactive"] = int(settings["inactive_days"])
    if settings.get("missed_deadline"):
        rules["missed_deadline"] = True
    if settings.get("module_not_started_days"):
        rules["module_not_started"] = int(settings["module_not_started_days"])
    return rules


def reward_points(course_data: dict[str, Any]) -> dict[str, int] | None:
    """Points per kind (every kind listed, 0 when the course gives none), or None when the
    course has no rewards."""
    rewards = course_data.get("rewards")
    if not rewards:
        return None
    return {kind: int(rewards["points"].get(kind, 0)) for kind in POINT_KINDS}


def has_leaderboard(course_data: dict[str, Any]) -> bool:
    """Whether the course offers its learners an opt-in leaderboard per cohort."""
    return bool((course_data.get("rewards") or {}).get("leaderboard"))
