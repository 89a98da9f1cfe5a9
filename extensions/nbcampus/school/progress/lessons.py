"""A learner's lessons: not started, in progress or done, from their own activity.

A lesson counts as done, as a reading does on the open-course platforms, once the learner
has worked in it: ``LESSON_DONE_SECONDS`` of active time, or any cell run. A video lesson is
done once the share of it watched reaches its ``done_when_watched``. Opened only, a lesson is
in progress. The panel counts done lessons in a course's completion."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.course.model import is_video
from nbcampus.school.catalog.api import get_course
from nbcampus.school.progress.activity import my_notebooks
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.progress.videos import video_done, video_lessons_done, watched_shares

#: active time in a lesson after which it is done (the panel samples activity every 15 s)
LESSON_DONE_SECONDS = 60
NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"


def lesson_status(worked: dict[str, Any] | None) -> str:
    """The status of one lesson from its :func:`my_notebooks` line (None: never opened)."""
    if worked is None:
        return NOT_STARTED
    if worked["executions"] > 0 or worked["seconds"] >= LESSON_DONE_SECONDS:
        return DONE
    return IN_PROGRESS


def video_status(watched: float | None, lesson: dict[str, Any]) -> str:
    """The status of one video lesson from the share of it watched (None: never played)."""
    if watched is None:
        return NOT_STARTED
    return DONE if video_done(watched, lesson) else IN_PROGRESS


def my_lessons(session: Session, username: str, course_id: str) -> list[dict[str, Any]]:
    """Every lesson of the course in order, with its module and the learner's status (and,
    for a video, the share of it watched)."""
    course = get_course(session, course_id)
    shares = watched_shares(session, username, course.data)
    worked = {}
    for line in my_notebooks(session, username, course_id):
        parts = PurePosixPath(line["notebook"]).parts
        if parts and parts[0] == course_id:  # workspace paths start with the course folder
            parts = parts[1:]
        worked["/".join(parts)] = line
    lines = []
    for module in course.data["modules"]:
        for lesson in module.get("lessons", []):
            line = {"module": module["id"], "file": lesson["file"]}
            if is_video(lesson):
                share = shares.get(lesson["file"])
                line["status"] = video_status(share, lesson)
                line["watched"] = round(share or 0.0, 3)
            else:
                line["status"] = lesson_status(worked.get(lesson["file"]))
            lines.append(line)
    return lines


def lessons_done(
    session: Session, course_id: str, usernames: list[str] | None = None
) -> dict[str, set[str]]:
    """The lesson files each learner has done (:func:`lesson_status`, a video's share watched),
    by username, for many learners at once."""
    course = get_course(session, course_id)
    files = {
        lesson["file"]
        for m in course.data["modules"]
        for lesson in m.get("lessons", [])
        if not is_video(lesson)
    }
    query = (
        select(
            ActivityEvent.username,
            ActivityEvent.notebook,
            func.sum(ActivityEvent.seconds),
            func.sum(ActivityEvent.count),
        )
        .where(ActivityEvent.course_id == course_id, ActivityEvent.notebook.is_not(None))
        .group_by(ActivityEvent.username, ActivityEvent.notebook)
    )
    if usernames is not None:
        query = query.where(ActivityEvent.username.in_(usernames))
    worked: dict[tuple[str, str], dict[str, int]] = {}
    for username, notebook, seconds, count in session.execute(query):
        parts = PurePosixPath(notebook).parts
        file = "/".join(parts[1:] if parts and parts[0] == course_id else parts)
        if file in files:  # with or without the course folder: the same lesson
            line = worked.setdefault((username, file), {"seconds": 0, "executions": 0})
            line["seconds"] += int(seconds or 0)
            line["executions"] += int(count or 0)
    done = video_lessons_done(session, course.data, usernames)
    for (username, file), line in worked.items():
        if lesson_status(line) == DONE:
            done.setdefault(username, set()).add(file)
    return done
