"""Make an assignment's grading key from its nbgrader source: the one way keys are made.

``nbgrader generate_assignment`` runs as a subprocess in a scratch course directory (so no caller
mixes nbgrader's state with its own) and gives the learner's files (solutions and hidden tests
removed) and the gradebook it wrote: the grading key, holding the test cells with their hidden
tests. The service makes keys this way at release (``nbcampus.school.publishing.releases``) and
``nbcampus autograde`` makes them this way offline, so both grade against the same key.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


class KeyMakingError(Exception):
    """nbgrader could not make the released files and grading key of a source folder."""


def generate_release(
    source: Path, course_id: str, timeout: float = 300
) -> tuple[dict[str, bytes], bytes]:
    """Run ``nbgrader generate_assignment`` on the folder ``source`` (named after the assignment).

    Returns the released files (by relative path) and the grading key: the nbgrader gradebook the
    run made. Raises :class:`KeyMakingError` with nbgrader's message when it fails.
    """
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
