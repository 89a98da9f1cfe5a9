"""Make the learner's version of course material from the course folder.

Exercises go through nbgrader's own ``generate_assignment`` (solutions and hidden tests removed),
run as a subprocess in a scratch course directory so the service never mixes nbgrader state with
its own. Lessons are given as they are (``nbcampus course check`` has made sure they hold no
solutions).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from ..course.model import Course
from .errors import CampusError


def source_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def lesson_files(course: Course) -> dict[str, bytes]:
    return {
        relative.as_posix(): (course.path / relative).read_bytes()
        for relative in course.lesson_files()
    }


def generate_assignment(
    course: Course, assignment_id: str, timeout: float = 300
) -> dict[str, bytes]:
    """The released files of one assignment, made by ``nbgrader generate_assignment``."""
    source = course.path / "source" / assignment_id
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
            "--no-db",
            "--force",
            f"--CourseDirectory.root={root}",
            f"--CourseDirectory.course_id={course.id}",
        ]
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout)
        released = root / "release" / assignment_id
        if result.returncode != 0 or not released.is_dir():
            raise CampusError(
                f"nbgrader could not generate {course.id}/{assignment_id}: {result.stderr.strip()[-2000:]}",
                status=422,
            )
        return {
            p.relative_to(released).as_posix(): p.read_bytes()
            for p in sorted(released.rglob("*"))
            if p.is_file()
        }
