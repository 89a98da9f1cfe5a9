"""A learner's workspace: the materials of the courses they are enrolled in.

On spawn, the spawner asks the nbcampus service (with the new server's own token, so with the
learner's identity and rights) which courses the learner is enrolled in, downloads each course's
lessons through the exchange and unpacks them into ``<home>/<course id>/``. A file already there
is never replaced, so a learner's edits survive a restart. Exercises arrive through nbgrader's
Assignments panel (fetch), quizzes through the service: neither sources nor keys ever enter a
learner's home.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from nbcampus.school.exchange.api import ArchiveError, safe_member_name


class ServiceUnavailable(RuntimeError):
    """The nbcampus service did not answer in time."""


def _write_new(target: Path, data: bytes) -> bool:
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".nbcampus-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def unpack_new_files(archive: bytes, folder: Path, within: Path | None = None) -> list[Path]:
    """Write the archive's files under ``folder`` where none exists yet; refuse unsafe names.

    With ``within``, a file whose place resolves outside that folder (through a symbolic link its
    owner made) is skipped: the hub writes lessons into learners' homes with its own rights.
    """
    written = []
    inside = within.resolve() if within is not None else None
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        for member in z.infolist():
            if member.is_dir():
                continue
            relative = safe_member_name(member.filename)
            target = folder / relative
            if inside is not None and not target.resolve().is_relative_to(inside):
                continue
            if _write_new(target, z.read(member)):
                written.append(target)
    return written


class CourseMaterials:
    """Fetches a learner's course materials from the service's API."""

    def __init__(self, api_url: str, token: str, timeout: float = 60):
        self.api_url = api_url.rstrip("/") + "/"
        self.token = token
        self.timeout = timeout
        self.http = AsyncHTTPClient()

    async def _get(self, path: str) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            request = HTTPRequest(
                self.api_url + path,
                headers={"Authorization": f"token {self.token}"},
                request_timeout=30,
            )
            try:
                return (await self.http.fetch(request)).body
            except (ConnectionError, OSError) as e:  # service still starting
                error = e
            except HTTPClientError as e:
                if e.code not in (502, 503, 599):
                    raise
                error = e
            if time.monotonic() > deadline:
                raise ServiceUnavailable(
                    f"the nbcampus service at {self.api_url} did not answer: {error}"
                )
            await asyncio.sleep(0.5)

    async def enrolments(self) -> list[dict]:
        """The learner's enrolments, as ``GET /api/me/enrolments`` lists them."""
        return json.loads(await self._get("me/enrolments"))["enrolments"]

    async def provision(self, home: Path, enrolments: list[dict] | None = None) -> list[Path]:
        """Unpack the lessons of every course the learner is enrolled in (of ``enrolments``,
        else asked for); return new files."""
        if enrolments is None:
            enrolments = await self.enrolments()
        written: list[Path] = []
        for enrolment in enrolments:
            if enrolment["status"] != "enrolled":
                continue
            written += await self.unpack_lessons(enrolment["course"], home)
        return written

    async def unpack_lessons(self, course_id: str, home: Path) -> list[Path]:
        """Unpack one course's lessons into ``home/<course id>``; return the new files."""
        try:
            archive = await self._get(f"courses/{course_id}/lessons")
        except HTTPClientError as e:
            if e.code == 404:  # a course without lessons
                return []
            raise
        try:
            # within=home: never follow a link the learner made out of their home
            return unpack_new_files(archive, home / course_id, within=home)
        except ArchiveError as e:
            raise RuntimeError(f"lessons of {course_id}: {e.message}") from None
