"""Grading fixtures: grading keys made by nbgrader from real sources, and submissions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nbcampus.testing import write_course
from nbcampus_graders.autograde import GradingResult, GradingTask, grade
from nbcampus_graders.keys import generate_release

#: quick cells: tests must not wait 30 s for every loop they start on purpose
FAST = {"Execute": {"timeout": 4}, "CampusExecute": {"job_timeout": 60}}


@pytest.fixture(scope="session")
def ex1(tmp_path_factory) -> tuple[dict[str, bytes], bytes]:
    """The test course's exercise: ``double(x)`` with a visible and a hidden test (2 points)."""
    root = tmp_path_factory.mktemp("ex1-course")
    folder = write_course(root, "open-mooc")
    return generate_release(folder / "source" / "ex1", "open-mooc")


def released_notebook(files: dict[str, bytes]) -> nbformat.NotebookNode:
    return nbformat.reads(files["ex1.ipynb"].decode(), as_version=4)


def answer(files: dict[str, bytes], code: str, edit=None) -> dict[str, bytes]:
    """The released ex1 notebook with ``code`` as the learner's answer (and optional edits)."""
    nb = released_notebook(files)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = code
    if edit is not None:
        edit(nb)
    return {"ex1.ipynb": nbformat.writes(nb).encode()}


def run_grade(key: bytes, files: dict[str, bytes], assignment="ex1", config=None) -> GradingResult:
    return grade(
        GradingTask(
            submission_id="s",
            course_id="open-mooc",
            assignment_id=assignment,
            username="ana",
            files=files,
            key=key,
            config=config if config is not None else FAST,
        )
    )


def stock_autograde(source: Path, submissions: dict[str, dict[str, bytes]], tmp: Path) -> dict:
    """Scores from stock ``nbgrader autograde`` in a scratch course: {student: {grade_id: score}}."""
    assignment = source.name
    (tmp / "source").mkdir(parents=True)
    subprocess.run(["cp", "-r", str(source), str(tmp / "source" / assignment)], check=True)
    for student, files in submissions.items():
        folder = tmp / "submitted" / student / assignment
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    env_cmd = [sys.executable, "-m", "nbgrader"]
    common = [f"--CourseDirectory.root={tmp}", "--CourseDirectory.course_id=stock"]
    subprocess.run(
        [*env_cmd, "generate_assignment", assignment, "--force", *common],
        check=True,
        capture_output=True,
        cwd=tmp,
    )
    subprocess.run(
        [*env_cmd, "autograde", assignment, "--force", *common],
        check=True,
        capture_output=True,
        cwd=tmp,
    )
    script = (
        "import json,sys\n"
        "from nbgrader.api import Gradebook\n"
        f"gb = Gradebook('sqlite:///{tmp}/gradebook.db')\n"
        "out = {}\n"
        f"for s in {list(submissions)!r}:\n"
        f"    sub = gb.find_submission({assignment!r}, s)\n"
        "    out[s] = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=tmp
    )
    return json.loads(result.stdout)
