"""The demo courses are valid and their exercises grade as they should with real nbgrader."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from nbcampus.course import check_course, load_course
from nbcampus.school.publishing.releases import generate_assignment

ROOT = Path(__file__).resolve().parents[1]
COURSES = sorted(p for p in (ROOT / "courses").iterdir() if (p / "course.yml").is_file())
ASSIGNMENTS = [
    (course.name, aid) for course in COURSES for aid in load_course(course).assignment_ids()
]


def test_the_four_formats_are_there():
    formats = {load_course(c).format: c.name for c in COURSES}
    assert set(formats) == {"mooc", "cooc", "spoc", "sooc"}
    mooc = load_course(ROOT / "courses" / "python-data")
    assert [m["week"] for m in mooc.modules] == [1, 2, 3]
    for module in mooc.modules:
        assert module["lessons"] and module["assignments"] and module["quiz"]


@pytest.mark.parametrize("course", COURSES, ids=[c.name for c in COURSES])
def test_course_passes_its_check(course):
    assert check_course(course) == []


def autograde(course_dir: Path, assignment_id: str, notebook: Path, student: str) -> float:
    """Grade ``notebook`` as ``student``'s submission with `nbgrader autograde`; return the score."""
    target = course_dir / "submitted" / student / assignment_id
    target.mkdir(parents=True)
    shutil.copy(notebook, target / notebook.name)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "autograde",
            assignment_id,
            f"--CourseDirectory.root={course_dir}",
            "--create",
            "--force",
        ],
        cwd=course_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return gb.find_submission(assignment_id, student).score


@pytest.mark.parametrize(
    "course_id, assignment_id", ASSIGNMENTS, ids=[f"{c}/{a}" for c, a in ASSIGNMENTS]
)
def test_exercise_grades_full_with_the_solution_and_zero_unanswered(
    course_id, assignment_id, tmp_path
):
    course = load_course(ROOT / "courses" / course_id)
    released = generate_assignment(course, assignment_id)
    for text in (data.decode() for data in released.values()):
        assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text

    course_dir = tmp_path / "course"
    shutil.copytree(course.path / "source" / assignment_id, course_dir / "source" / assignment_id)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_assignment",
            assignment_id,
            f"--CourseDirectory.root={course_dir}",
            "--force",
        ],
        cwd=course_dir,
        check=True,
        capture_output=True,
        timeout=300,
    )
    points = next(
        a["points"]
        for m in course.modules
        for a in m.get("assignments", [])
        if a["id"] == assignment_id
    )
    [source] = sorted((course_dir / "source" / assignment_id).glob("*.ipynb"))
    [release] = sorted((course_dir / "release" / assignment_id).glob("*.ipynb"))
    # written answers (manual grading) are not autograded: the autograded part must be full
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        manual = sum(
            c.max_score
            for n in gb.find_assignment(assignment_id).notebooks
            for c in n.grade_cells
            if c.cell_type == "markdown"
        )
    assert autograde(course_dir, assignment_id, source, "solution") == pytest.approx(
        points - manual
    )
    assert autograde(course_dir, assignment_id, release, "blank") == 0
