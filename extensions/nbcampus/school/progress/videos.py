"""Video lessons: what share of a video a learner watched, from the segments actually played.

The learner's player reports the stretches it played (``[start, end]`` in seconds of the video);
jumping ahead plays nothing, so a seek never counts. The school keeps the union of the stretches
per learner and lesson, bounded by the video's length from the course file (never the browser's
word for it), so a stretch played twice counts once. A video lesson is done once the share
watched reaches the lesson's ``done_when_watched`` (90% unless the course file says).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nbcampus.course.model import DONE_WHEN_WATCHED, is_video, lesson_extras
from nbcampus.school.core.api import CampusError, utcnow
from nbcampus.school.progress.models import VideoWatch

#: most stretches one event may report
MAX_SEGMENTS = 200
#: the longest video a course may hold, in seconds
MAX_VIDEO_SECONDS = 86_400

Segments = list[tuple[float, float]]


def parse_segments(value: Any, where: str) -> Segments:
    """Check an event's ``segments``: a list of ``[start, end]`` seconds with start < end."""
    if not isinstance(value, list) or not value:
        raise CampusError(f"{where}: a watch event lists the segments played: [[start, end], ...]")
    if len(value) > MAX_SEGMENTS:
        raise CampusError(f"{where}: at most {MAX_SEGMENTS} segments per event")
    segments = []
    for i, pair in enumerate(value):
        ok = isinstance(pair, list) and len(pair) == 2
        ok = ok and all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair)
        if not ok or not 0 <= pair[0] < pair[1] <= MAX_VIDEO_SECONDS:
            raise CampusError(
                f"{where}: segments[{i}] must be [start, end] seconds, "
                f"0 <= start < end <= {MAX_VIDEO_SECONDS}"
            )
        segments.append((float(pair[0]), float(pair[1])))
    return segments


def merge(segments: Iterable[tuple[float, float]], length: float) -> Segments:
    """The union of ``segments`` cut to ``[0, length]``, as disjoint stretches in order."""
    merged: Segments = []
    for start, end in sorted((max(0.0, a), min(length, b)) for a, b in segments):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def video_lessons(course_data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The course's video lessons, by their file (or address), in course order."""
    return {
        lesson["file"]: lesson
        for module in course_data["modules"]
        for lesson in module.get("lessons", [])
        if is_video(lesson)
    }


def video_lesson(course_data: dict[str, Any], file: str) -> dict[str, Any] | None:
    """The video lesson of the course whose file is ``file`` (with or without the course
    folder in front), or None."""
    prefix = course_data["id"] + "/"
    if file.startswith(prefix):
        file = file[len(prefix) :]
    for name, lesson in video_lessons(course_data).items():
        # an activity batch's path is normalised (an address's '//' becomes '/')
        if name in (file, str(PurePosixPath(file))) or str(PurePosixPath(name)) == file:
            return lesson
    return None


def is_video_file(course_data: dict[str, Any], file: str) -> bool:
    """Whether ``file`` is a video lesson of the course, or a video lesson's captions or
    transcript: what a learner's player may fetch (never a notebook, a source or a key)."""
    return any(
        file in (name, *lesson_extras(lesson))
        for name, lesson in video_lessons(course_data).items()
    )


def done_share(lesson: dict[str, Any]) -> float:
    """The share of the video a learner must watch for the lesson to be done."""
    return float(lesson.get("done_when_watched", DONE_WHEN_WATCHED))


def video_done(watched: float, lesson: dict[str, Any]) -> bool:
    """Whether a video lesson of which ``watched`` (a share) was played is done."""
    return watched >= done_share(lesson) - 1e-9


def _length(lesson: dict[str, Any]) -> float:
    return float(lesson.get("duration", MAX_VIDEO_SECONDS))


def _row(session: Session, username: str, course_id: str, lesson: str) -> VideoWatch:
    query = select(VideoWatch).where(
        VideoWatch.course_id == course_id,
        VideoWatch.username == username,
        VideoWatch.lesson == lesson,
    )
    row = session.scalars(query.with_for_update()).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = VideoWatch(username=username, course_id=course_id, lesson=lesson)
            session.add(row)
            session.flush()
        return row
    except IntegrityError:  # the same learner's other batch made it just now
        return session.scalars(query.with_for_update()).one()


def record_watch(
    session: Session, username: str, course_data: dict[str, Any], file: str, played: Segments
) -> float:
    """Add the stretches a learner played of one video lesson; return the seconds of the video
    they played in them (a stretch played again counts again: it is time spent)."""
    lesson = video_lesson(course_data, file)
    if lesson is None:
        raise CampusError(f"{file!r} is not a video lesson of {course_data['id']}", 404)
    length = _length(lesson)
    row = _row(session, username, course_data["id"], lesson["file"])
    segments = merge([*map(tuple, json.loads(row.segments)), *played], length)
    row.segments = json.dumps([[round(a, 3), round(b, 3)] for a, b in segments])
    row.watched = round(sum(b - a for a, b in segments), 3)
    row.updated_at = utcnow()
    session.flush()
    return sum(min(length, b) - max(0.0, a) for a, b in played if min(length, b) > max(0.0, a))


def watched_shares(
    session: Session, username: str, course_data: dict[str, Any]
) -> dict[str, float]:
    """The share watched of each video lesson ``username`` played, by lesson file."""
    lengths = {name: _length(lesson) for name, lesson in video_lessons(course_data).items()}
    if not lengths:
        return {}
    rows = session.execute(
        select(VideoWatch.lesson, VideoWatch.watched).where(
            VideoWatch.course_id == course_data["id"], VideoWatch.username == username
        )
    )
    return {
        lesson: min(1.0, watched / lengths[lesson]) for lesson, watched in rows if lesson in lengths
    }


#: the report's measure of video lessons: how many of them a learner has done
VIDEO_MEASURES = ("videos_done",)


def video_lessons_done(
    session: Session, course_data: dict[str, Any], names: Iterable[str] | None = None
) -> dict[str, set[str]]:
    """The video lessons each learner (of ``names``; None: all) has done, by username."""
    videos = video_lessons(course_data)
    names = None if names is None else list(names)
    if not videos or names == []:
        return {}
    query = select(VideoWatch.username, VideoWatch.lesson, VideoWatch.watched).where(
        VideoWatch.course_id == course_data["id"]
    )
    if names is not None:
        query = query.where(VideoWatch.username.in_(names))
    done: dict[str, set[str]] = {}
    for username, file, watched in session.execute(query):
        lesson = videos.get(file)
        if lesson is not None and video_done(watched / _length(lesson), lesson):
            done.setdefault(username, set()).add(file)
    return done


def videos_done_by(
    session: Session, course_data: dict[str, Any], names: Iterable[str]
) -> dict[str, dict[str, int]]:
    """For the report: how many video lessons each of ``names`` has done."""
    return {
        username: {"videos_done": len(files)}
        for username, files in video_lessons_done(session, course_data, names).items()
    }
