"""The dated items of a published course and their late policies, as the course file gives
them: what the deadlines package resolves per learner, and what tells whether a run still
accepts any work (a run whose every item has closed admits no one)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

#: a quiz takes no attempt after its due date: its late policy when the course file gives none
QUIZ_LATE_POLICY: dict[str, Any] = {"hard_close_days": 0}


def dated_items(course_data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Assignments and quizzes with a due offset, by id (a quiz's id is ``<module>-quiz``),
    each with its effective ``late_policy`` (None for an assignment without one: late work is
    accepted at full credit)."""
    items = {}
    for module in course_data["modules"]:
        for assignment in module.get("assignments", []):
            items[assignment["id"]] = {**assignment, "late_policy": assignment.get("late_policy")}
        quiz = module.get("quiz")
        if quiz and "due_offset_days" in quiz:
            items[f"{module['id']}-quiz"] = {
                **quiz,
                "late_policy": quiz.get("late_policy") or QUIZ_LATE_POLICY,
            }
    return items


def run_closes_at(course_data: dict[str, Any], starts_at: datetime | None) -> datetime | None:
    """When the last dated item of a run starting at ``starts_at`` closes, by the course file's
    dates (None: something never closes, the run has no start, or nothing is dated)."""
    if starts_at is None:
        return None
    last = None
    for item in dated_items(course_data).values():
        close_days = (item["late_policy"] or {}).get("hard_close_days")
        if close_days is None:
            return None
        closes = starts_at + timedelta(days=item["due_offset_days"] + close_days)
        last = closes if last is None or closes > last else last
    return last


def module_offsets(course_data: dict[str, Any]) -> dict[str, timedelta]:
    """When each module opens, from the start of a learner's run: week 1 at the start, week
    ``n`` ``n - 1`` weeks later (the course file's ``week``)."""
    return {m["id"]: timedelta(weeks=int(m["week"]) - 1) for m in course_data["modules"]}
