"""Make an assignment's grading key from its nbgrader source: the one way keys are made.

``nbgrader generate_assignment`` runs as a subprocess in a scratch course directory (so no caller
mixes nbgrader's state with its own) and gives the learner's files (solutions and hidden tests
removed) and the gradebook it wrote: the grading key, holding the test cells with their hidden
tests. The service makes keys this way at release (``nbcampus.school.publishing.releases``) and
``nbcampus autograde`` makes them this way offline, so both grade against the same key.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from importlib.metadata import version
from pathlib import Path


class KeyMakingError(Exception):
    """nbgrader could not make the released files and grading key of a source folder."""


def release_id(source: Path, course_id: str) -> str:
    """What a release is made from: the course id, the assignment's files and nbgrader's version.
    Two sources with the same id give the same learner's files and key."""
    digest = hashlib.sha256(f"{course_id}\0{source.name}\0{version('nbgrader')}\0".encode())
    for path in sorted(source.rglob("*")):
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


KEY_MEMBER = "key.db"


def _cached(cache: Path, name: str) -> tuple[dict[str, bytes], bytes] | None:
    try:
        with zipfile.ZipFile(cache / f"{name}.zip") as archive:
            files = {
                n.removeprefix("release/"): archive.read(n)
                for n in archive.namelist()
                if n.startswith("release/")
            }
            return files, archive.read(KEY_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile):
        return None  # not made yet, or unreadable: made again


def _keep(cache: Path, name: str, files: dict[str, bytes], key: bytes) -> None:
    """Written aside and renamed into place: readers never see half an entry. Private: the key
    holds the hidden tests."""
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, data in files.items():
            archive.writestr(f"release/{relative}", data)
        archive.writestr(KEY_MEMBER, key)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{name}-")  # mode 0600
    with os.fdopen(fd, "wb") as f:
        f.write(buffer.getvalue())
    os.replace(tmp, cache / f"{name}.zip")


def generate_release(
    source: Path, course_id: str, timeout: float = 300, cache: Path | None = None
) -> tuple[dict[str, bytes], bytes]:
    """Run ``nbgrader generate_assignment`` on the folder ``source`` (named after the assignment).

    Returns the released files (by relative path) and the grading key: the nbgrader gradebook the
    run made. Raises :class:`KeyMakingError` with nbgrader's message when it fails.

    With ``cache`` (a private folder), a release made before from the same :func:`release_id`
    is taken from there instead of running nbgrader again (2-7 s of CPU each).
    """
    if cache is not None:
        name = release_id(source, course_id)
        kept = _cached(cache, name)
        if kept is not None:
            return kept
        files, key = _generate(source, course_id, timeout)
        _keep(cache, name, files, key)
        return files, key
    return _generate(source, course_id, timeout)


def _generate(source: Path, course_id: str, timeout: float) -> tuple[dict[str, bytes], bytes]:
    assignment_id = source.name
    with tempfile.TemporaryDirectory(prefix="nbcampus-release-") as tmp:
        root = Path(tmp)
        target = root / "source" / assignment_id
        target.mkdir(parents=True)
        for path in source.rglob("*"):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                dest = target / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(path.read_bytes())
        command = [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            assignment_id,
            "--force",
            f"--CourseDirectory.root={root}",
            f"--CourseDirectory.course_id={course_id}",
            f"--CourseDirectory.db_url=sqlite:///{root / 'key.db'}",
        ]
        # nbgrader runs the `alembic` command by name: it lives next to this interpreter
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, timeout=timeout, env=env
        )
        released = root / "release" / assignment_id
        if result.returncode != 0 or not released.is_dir():
            raise KeyMakingError(
                f"nbgrader could not generate {course_id}/{assignment_id}: "
                f"{result.stderr.strip()[-2000:]}"
            )
        files = {
            p.relative_to(released).as_posix(): p.read_bytes()
            for p in sorted(released.rglob("*"))
            if p.is_file()
        }
        return files, (root / "key.db").read_bytes()
