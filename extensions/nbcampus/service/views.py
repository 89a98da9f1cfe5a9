"""What the API shows of the school's records: JSON views that leak nothing private."""

from __future__ import annotations

from typing import Any

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.enrolment.api import Enrolment


def public_course(
    course: CourseRecord, taken: int, include_private: bool = False
) -> dict[str, Any]:
    """A course as the catalog shows it. Invite codes only to staff."""
    data = course.data
    enrolment = dict(data["enrolment"])
    if not include_private:
        enrolment.pop("invite_codes", None)
        enrolment.pop("roster", None)
        enrolment["invite_only"] = data["enrolment"]["rule"] == "invite"
    return {
        "id": course.id,
        "title": course.title,
        "format": course.format,
        "pedagogy": course.pedagogy,
        "description": data["description"],
        "language": data.get("language", "en"),
        "hours_per_week": data["hours_per_week"],
        "duration_weeks": data["duration_weeks"],
        "instructors": data["instructors"],
        "enrolment": enrolment,
        "seats": {
            "cap": course.seat_cap,
            "taken": taken,
            "left": None if course.seat_cap is None else max(course.seat_cap - taken, 0),
        },
        "tracks": data.get("tracks", {"audit": True, "verified": False}),
        "pacing": data["pacing"],
        "branding": data.get("branding"),
        "modules": [
            {
                "id": m["id"],
                "title": m["title"],
                "week": m["week"],
                "objectives": m.get("objectives", []),
                "lessons": m.get("lessons", []),
                "assignments": m.get("assignments", []),
                "quiz": m.get("quiz"),
            }
            for m in data["modules"]
        ],
    }


def enrolment_view(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "course": enrolment.course_id,
        "username": enrolment.username,
        "status": enrolment.status,
        "track": enrolment.track,
        "cohort": enrolment.cohort.name if enrolment.cohort else None,
        "personal_start": enrolment.personal_start.isoformat(),
        "enrolled_at": enrolment.enrolled_at.isoformat(),
    }
