"""What every nbcampus exchange class shares: the service's address, the token, archives."""

from __future__ import annotations

import fnmatch
import io
import os
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from nbgrader.exchange.abc import Exchange
from traitlets import Bool, Float, Unicode, default

from nbcampus.school.exchange.api import ArchiveError, safe_member_name


class CampusExchange(Exchange):
    """Base of the nbcampus exchange classes: HTTP calls to the service with the user's token."""

    api_url = Unicode(
        help="The nbcampus service API. From NBCAMPUS_API_URL (set by the spawner)."
    ).tag(config=True)

    @default("api_url")
    def _default_api_url(self) -> str:
        return os.environ.get("NBCAMPUS_API_URL", "")

    token = Unicode(help="The hub token. From JUPYTERHUB_API_TOKEN (set by JupyterHub).").tag(
        config=True
    )

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    request_timeout = Float(120, help="Seconds to wait for the service.").tag(config=True)

    path_includes_course = Bool(
        True,
        help="Put fetched assignments in <course_id>/<assignment_id> (nbcampus workspaces do).",
    ).tag(config=True)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the service; a refusal becomes an ExchangeError with the service's message."""
        if not self.api_url or not self.token:
            self.fail(
                "the nbcampus exchange needs NBCAMPUS_API_URL and JUPYTERHUB_API_TOKEN (run inside a hub server)"
            )
        url = self.api_url.rstrip("/") + "/" + path
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        try:
            response = requests.request(
                method, url, headers=headers, timeout=self.request_timeout, **kwargs
            )
        except requests.RequestException as e:
            self.fail(f"cannot reach the nbcampus service: {e}")
        if response.status_code >= 400:
            try:
                message = response.json()["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:300]
            self.fail(f"{message} (HTTP {response.status_code})")
        return response

    def course_id(self) -> str:
        course_id = self.coursedir.course_id
        if not course_id:
            self.fail("no course id: pass --course=<course id> (or set CourseDirectory.course_id)")
        return course_id

    def local_assignment_dir(self, course_id: str, assignment_id: str) -> Path:
        base = Path(self.assignment_dir)
        return (
            base / course_id / assignment_id if self.path_includes_course else base / assignment_id
        )

    def nbgrader_timestamp(self, iso: str) -> str:
        """The service's ISO time in nbgrader's timestamp format (used in folder names)."""
        return datetime.fromisoformat(iso).strftime(self.timestamp_format)

    def zip_folder(self, folder: Path, skip: set[str] = frozenset()) -> bytes:
        """A ZIP of ``folder`` without ignored or oversized files (nbgrader's own rules)."""
        buffer = io.BytesIO()
        limit = self.coursedir.max_file_size * 1024 if self.coursedir.max_file_size else None
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(folder)
                if not path.is_file() or path.name in skip:
                    continue
                if any(
                    fnmatch.fnmatch(part, pattern)
                    for part in relative.parts
                    for pattern in self.coursedir.ignore
                ):
                    continue
                if limit is not None and path.stat().st_size > limit:
                    self.log.warning(
                        "Not sending %s: over the %d KB limit",
                        relative,
                        self.coursedir.max_file_size,
                    )
                    continue
                archive.write(path, relative.as_posix())
        return buffer.getvalue()

    def unzip_into(self, data: bytes, target: Path, *, replace: bool = False) -> list[Path]:
        """Unpack a ZIP from the service into ``target``, made whole in a temporary folder first."""
        if target.exists() and not replace:
            self.fail(f"{target} already exists: move it away first")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".nbcampus-", dir=target.parent))
        written = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if member.is_dir():
                        continue
                    try:
                        relative = safe_member_name(member.filename)
                    except ArchiveError as e:
                        self.fail(e.message)
                    path = tmp / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(archive.read(member))
                    written.append(target / relative)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return written
