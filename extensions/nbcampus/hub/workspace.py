"""A learner's workspace: the materials of the courses they are enrolled in.

Lessons are copied into ``<home>/<course id>/`` on spawn. A file already there is never replaced,
so a learner's edits survive a restart. Only lesson files are given out; exercise sources and
quiz notebooks (which hold solutions and keys) never enter a learner's home.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..course.model import Course


def read_enrolments(path: str | Path) -> dict[str, list[str]]:
    """username -> course ids, from a JSON file; a missing file means nobody is enrolled."""
    path = Path(path)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ValueError(f"{path}: expected an object mapping user names to lists of course ids")
    return data


def _copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".nbcampus-")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def provision_workspace(home: Path, courses: list[Course]) -> list[Path]:
    """Copy the lessons of ``courses`` into ``home``; return the files newly written."""
    written = []
    for course in courses:
        for relative in course.lesson_files():
            target = home / course.id / relative
            if target.exists():
                continue
            _copy_atomically(course.path / relative, target)
            written.append(target)
    return written
