"""Where a thread sits in a course: the whole course, a module, or one item of a module."""

from __future__ import annotations

from typing import Any

from nbcampus.school.core.api import CampusError


def course_places(course_data: dict[str, Any]) -> dict[str, str]:
    """``{item id: module id}``: assignments by id, a module's quiz as ``<module>-quiz``,
    lessons by their file (as the course file names them)."""
    items = {}
    for module in course_data["modules"]:
        for lesson in module.get("lessons", []):
            items[lesson["file"]] = module["id"]
        for assignment in module.get("assignments", []):
            items[assignment["id"]] = module["id"]
        if module.get("quiz"):
            items[f"{module['id']}-quiz"] = module["id"]
    return items


def resolve_place(
    course_data: dict[str, Any], module: str | None, item: str | None
) -> tuple[str | None, str | None]:
    """(module, item) of a new thread, the module taken from the item; 400 for a module or an
    item the course does not have, or an item of another module."""
    modules = {m["id"] for m in course_data["modules"]}
    if module is not None and module not in modules:
        raise CampusError(f"module: course {course_data['id']!r} has no module {module!r}")
    if item is None:
        return module, None
    items = course_places(course_data)
    if item not in items:
        raise CampusError(f"item: course {course_data['id']!r} has no item {item!r}")
    if module is not None and items[item] != module:
        raise CampusError(f"item: {item!r} is in module {items[item]!r}, not {module!r}")
    return items[item], item
