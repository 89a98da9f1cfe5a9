"""Video lessons in a course folder: what ``nbcampus course check`` asks of them.

A video lesson is a ``.mp4`` or ``.webm`` file (or ``kind: video``) with its length in seconds,
so the school can tell what share of it a learner watched without trusting the learner's
browser for the length; optional WebVTT captions and a transcript come with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nbcampus.course.model import VIDEO_SUFFIXES, is_external, is_video
from nbcampus.course.problem import where_text

#: (where in the course file, what is wrong, how to fix it)
VideoProblem = tuple[tuple[Any, ...], str, str]


def video_problems(
    folder: Path, where: tuple[Any, ...], lesson: dict[str, Any]
) -> Iterator[VideoProblem]:
    """The problems of one lesson entry at ``where`` (``modules.0.lessons.1``) as a video."""
    file = lesson["file"]
    if is_external(file) and not file.lower().startswith("https://"):
        yield (
            where + ("file",),
            f"{where_text(where + ('file',))}: {file!r} is not an https:// address",
            "link videos elsewhere by https:// only (a learner's browser refuses mixed content)",
        )
    if is_external(file) and not is_video(lesson):
        yield (
            where + ("file",),
            f"{where_text(where + ('file',))}: a lesson at an address is a video, and "
            f"{file!r} does not look like one",
            "add 'kind: video', or give the lesson as a file of the course folder",
        )
        return
    video_only = [
        key for key in ("duration", "captions", "transcript", "done_when_watched") if key in lesson
    ]
    if not is_video(lesson):
        for key in video_only:
            yield (
                where + (key,),
                f"{where_text(where + (key,))}: {key!r} is for video lessons, and {lesson['file']!r} is not one",
                f"remove {key!r}, or make the lesson a {' or '.join(VIDEO_SUFFIXES)} file",
            )
        return
    if not is_external(file) and not file.lower().endswith(VIDEO_SUFFIXES):
        yield (
            where + ("file",),
            f"{where_text(where + ('file',))}: a video lesson is a {' or '.join(VIDEO_SUFFIXES)} file, "
            f"not {lesson['file']!r}",
            "convert the video (for example with ffmpeg) to WebM or MP4",
        )
    if "duration" not in lesson:
        yield (
            where,
            f"{where_text(where)}: video lesson {lesson['file']!r} has no duration",
            "add 'duration: <seconds>' (ffprobe -show_entries format=duration prints it)",
        )
    captions = lesson.get("captions")
    if captions is not None:
        target = folder / captions
        if not captions.lower().endswith(".vtt"):
            yield (
                where + ("captions",),
                f"{where_text(where + ('captions',))}: captions are a WebVTT (.vtt) file, not {captions!r}",
                "convert the captions to WebVTT",
            )
        elif target.is_file() and not target.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(
            b"WEBVTT"
        ):
            yield (
                where + ("captions",),
                f"{captions}: a WebVTT file starts with the line 'WEBVTT'",
                "add 'WEBVTT' and a blank line at the top of the file",
            )
