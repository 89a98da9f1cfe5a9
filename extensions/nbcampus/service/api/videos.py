"""Video lessons: a lesson's video, captions and transcript for the learner's player (the phone
page and the JupyterLab viewer), with byte ranges so a player can seek.

The files are those of the course's current lesson release, and only the ones the course file
names as a video lesson or its captions or transcript; only staff and learners enrolled in the
course get them. What a learner played comes back in the activity batches (``watch`` events).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from tornado import web

from nbcampus.school.catalog.api import get_course
from nbcampus.school.exchange import api as exchange
from nbcampus.school.exchange.api import LESSONS
from nbcampus.school.progress.api import is_video_file
from nbcampus.service.base import APIHandler
from nbcampus.service.endpoints import answers, query, signed_in

#: the kinds of file a video lesson brings, by suffix
MEDIA_TYPES = {
    ".webm": "video/webm",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``[start, end]`` (inclusive) a ``Range: bytes=...`` header asks of ``size`` bytes;
    None for the whole file; 416 when nothing of the file is in the range."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.groups() == ("", ""):
        return None  # an unsupported form (several ranges): answer the whole file
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(size - 1, int(last)) if last else size - 1
    if start >= size or start > end:
        raise web.HTTPError(416, f"the range {header!r} is outside the file's {size} bytes")
    return start, end


class VideoHandler(APIHandler):
    @signed_in
    @query(file="the lesson's video, captions or transcript, as the course file names it")
    @answers(200, media="video/webm", description="the file (video/mp4, text/vtt ... by suffix)")
    @answers(206, media="video/webm", description="the bytes a Range header asked for")
    @answers(404, description="not a video lesson's file of this course")
    async def get(self, course_id: str) -> None:
        """A video lesson's file, for an enrolled learner or the course's staff."""
        file = self.get_query_argument("file", "")

        def read(session):
            course = get_course(session, course_id)
            self.may_read_course(session, course_id)
            if not is_video_file(course.data, file):
                raise web.HTTPError(404, f"{file!r} is not a video lesson's file of {course_id}")
            release = exchange.current_release(session, course_id, LESSONS)
            if release is None:
                raise web.HTTPError(404, f"{course_id} has no lessons published")
            return release.storage

        storage = await self.in_db(read)
        path = Path(self.campus.exchange_dir) / storage / file
        if not path.is_file():
            raise web.HTTPError(404, f"{file!r} is not in {course_id}'s published lessons")
        size = path.stat().st_size
        wanted = byte_range(self.request.headers.get("Range"), size)
        start, end = wanted if wanted is not None else (0, size - 1)
        media = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        self.set_header("Content-Type", media or "application/octet-stream")
        self.set_header("Accept-Ranges", "bytes")
        # the learner's own copy: a browser may keep it for the session, no shared cache
        self.set_header("Cache-Control", "private, max-age=3600")
        if wanted is not None:
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.set_header("Content-Length", str(end - start + 1))
        with path.open("rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 256 * 1024))
                if not chunk:
                    break
                left -= len(chunk)
                self.write(chunk)
                await self.flush()
        self.finish()


default_handlers = [("/api/courses/{course}/videos", VideoHandler)]
