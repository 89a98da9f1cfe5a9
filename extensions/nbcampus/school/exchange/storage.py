"""Exchange storage: archives checked before anything is written, files made durable before
they are acknowledged.

An upload is a ZIP. It is refused whole (nothing written) when it is too big, is not a ZIP,
holds unsafe names (``..``, absolute, backslashes, control characters), too many members, more
uncompressed bytes than allowed (zip bombs are stopped while reading, whatever the headers say),
or a notebook nbformat 4 cannot validate. Accepted files go to a temporary folder, each file and
the folder are fsynced, then the folder is renamed into place: the caller commits the database
row only after that, so an acknowledged submission is on disk and in the database, and a crash
in between leaves at most an unreferenced temporary folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from nbcampus.school.core.api import CampusError

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,127}$")


class ArchiveError(CampusError):
    """An upload refused, with what is wrong in it."""

    status = 400


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_members: int = 100
    max_depth: int = 4


def safe_member_name(name: str) -> PurePosixPath:
    """The member's relative path, or ArchiveError for anything that could escape or confuse."""
    if "\\" in name or name.startswith("/") or any(ord(ch) < 32 for ch in name):
        raise ArchiveError(f"unsafe file name {name!r} in the archive")
    path = PurePosixPath(name)
    if not path.parts or any(
        part in ("..", ".") or not _SAFE_PART.match(part) for part in path.parts
    ):
        raise ArchiveError(
            f"unsafe file name {name!r} in the archive: use letters, digits, spaces and ._+()- only, no '..'"
        )
    return path


def read_archive(
    body: bytes, limits: Limits, *, ignore: frozenset[str] = frozenset()
) -> dict[str, bytes]:
    """Check a ZIP upload and return its files by relative path (nothing written)."""
    if len(body) > limits.max_bytes:
        raise ArchiveError(
            f"the upload is {len(body)} bytes; the limit is {limits.max_bytes}", status=413
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise ArchiveError("the upload is not a ZIP archive") from None
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.max_members:
        raise ArchiveError(
            f"the archive holds {len(members)} files; the limit is {limits.max_members}"
        )
    files: dict[str, bytes] = {}
    total = 0
    for member in members:
        path = safe_member_name(member.filename)
        if len(path.parts) > limits.max_depth:
            raise ArchiveError(f"{member.filename!r} is nested too deep")
        if path.name in ignore:
            continue
        if member.flag_bits & 0x1:
            raise ArchiveError(f"{member.filename!r} is encrypted")
        data = bytearray()
        with archive.open(member) as stream:  # read in chunks: headers can lie about sizes
            while chunk := stream.read(64 * 1024):
                total += len(chunk)
                if total > limits.max_bytes:
                    raise ArchiveError(
                        f"the archive unpacks to more than {limits.max_bytes} bytes (zip bomb?)",
                        status=413,
                    )
                data.extend(chunk)
        key = str(path)
        if key in files:
            raise ArchiveError(f"{key!r} appears twice in the archive")
        files[key] = bytes(data)
    if not files:
        raise ArchiveError("the archive holds no files")
    for name, data in files.items():
        if name.endswith(".ipynb"):
            check_notebook(name, data)
    return files


def check_notebook(name: str, data: bytes) -> None:
    """Refuse a notebook that is not valid JSON or not valid nbformat 4."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise ArchiveError(f"{name}: not valid JSON ({e})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise ArchiveError(
            f"{name}: nbformat {version} is not accepted; save it with Jupyter (nbformat 4)"
        )
    try:
        nbformat.validate(nbformat.from_dict(raw))
    except nbformat.ValidationError as e:
        raise ArchiveError(f"{name}: invalid notebook: {e.message}") from None


def manifest(files: dict[str, bytes]) -> dict[str, dict[str, object]]:
    return {
        name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in sorted(files.items())
    }


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_files(root: Path, relative: str, files: dict[str, bytes]) -> Path:
    """Write ``files`` durably to ``root/relative`` (which must not exist yet) and return it."""
    target = root / relative
    if target.exists():
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=target.parent))
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for folder in sorted(
            {p.parent for p in tmp.rglob("*")}, key=lambda p: len(p.parts), reverse=True
        ):
            _fsync_dir(folder)
        os.rename(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def zip_folder(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP of the files under ``folder`` (plus ``extra`` files), for downloads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
