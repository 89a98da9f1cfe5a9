"""Test courses: course folders with a lesson, an nbgrader exercise and a quiz, and graded
submissions written as rows."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import nbformat
import yaml

from nbcampus.school.core.api import utcnow
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.api import Grade


def _fixed_ids(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Cell ids that are the same at every write (nbformat makes random ones): the same course
    gives the same bytes, so its exercises are made once per run (the release cache)."""
    for n, cell in enumerate(nb.cells):
        cell.id = f"{name}-{n}"
    return nb


def _exercise_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `double(x)`."),
        nbformat.v4.new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata={
                "nbgrader": {
                    "grade": False,
                    "solution": True,
                    "locked": False,
                    "grade_id": "double",
                    "schema_version": 3,
                }
            },
        ),
        nbformat.v4.new_code_cell(
            "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(-1) == -2\n### END HIDDEN TESTS",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "solution": False,
                    "locked": True,
                    "points": 2,
                    "grade_id": "test_double",
                    "schema_version": 3,
                }
            },
        ),
    ]
    return nb


def _quiz_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    question = {"id": "q1", "type": "single", "points": 1, "options": ["1", "2"], "answer": 1}
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "What is 1 + 1?", metadata={"nbcampus": {"question": question}}
        )
    ]
    return nb


def write_course(
    root: Path,
    course_id: str,
    fmt: str = "mooc",
    enrolment: dict | None = None,
    pacing: dict | None = None,
    roster: list[str] | None = None,
    due_offset_days: float = 7,
    hard_close_days: float = 3,
    module_reward: dict | None = None,
    **extra,
) -> Path:
    """Write a valid course folder ``root/course_id`` and return it (``module_reward``: the
    reward block of its module week1, e.g. ``{"award": "badge", "min_score": 50}``)."""
    folder = root / course_id
    (folder / "lessons").mkdir(parents=True)
    (folder / "source" / "ex1").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    lesson = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lesson 1")])
    nbformat.write(_fixed_ids(lesson, "lesson1"), folder / "lessons" / "lesson1.ipynb")
    nbformat.write(_fixed_ids(_exercise_notebook(), "ex1"), folder / "source" / "ex1" / "ex1.ipynb")
    nbformat.write(_fixed_ids(_quiz_notebook(), "quiz1"), folder / "quizzes" / "quiz1.ipynb")
    enrolment = enrolment or {"rule": "open"}
    if roster is not None:
        (folder / "roster.csv").write_text("username\n" + "".join(f"{u}\n" for u in roster))
        enrolment = {**enrolment, "roster": "roster.csv"}
    data = {
        "id": course_id,
        "title": f"Course {course_id}",
        "format": fmt,
        "pedagogy": "xmooc",
        "description": "A test course.",
        "hours_per_week": 2,
        "duration_weeks": 2,
        "instructors": [{"username": "teacher"}],
        "enrolment": enrolment,
        "tracks": {"audit": True, "verified": True},
        "pacing": pacing or {"mode": "self-paced"},
        "modules": [
            {
                "id": "week1",
                "title": "Week 1",
                "week": 1,
                "lessons": [{"file": "lessons/lesson1.ipynb", "title": "Lesson 1"}],
                "assignments": [
                    {
                        "id": "ex1",
                        "title": "Exercise 1",
                        "points": 2,
                        "due_offset_days": due_offset_days,
                        "late_policy": {
                            "grace_minutes": 10,
                            "credit": [{"after_days": 0, "percent": 50}],
                            "hard_close_days": hard_close_days,
                        },
                    }
                ],
                "quiz": {"file": "quizzes/quiz1.ipynb", "title": "Quiz 1", "due_offset_days": 7},
                **({"reward": module_reward} if module_reward else {}),
            }
        ],
        "grading": {"weights": {"assignments": 0.7, "quizzes": 0.3}, "pass_score": 50},
        "certificate": {"enabled": True, "min_score": 50, "verified_only": True},
        **extra,
    }
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def add_graded_submission(
    session,
    course_id: str,
    username: str,
    assignment_id: str = "ex1",
    *,
    score: float = 2.0,
    max_score: float = 2.0,
    attempt: int = 1,
    received_at: datetime | None = None,
    state: str = "graded",
    graded_by: str = "test",
) -> str:
    """Write a submission and its grade as rows (no grading job, no event published), for tests
    whose service runs no grader or that test reports and rules on known grades. Returns the
    submission id."""
    received_at = received_at or utcnow()
    sub = Submission(
        id=uuid.uuid4().hex,
        course_id=course_id,
        assignment_id=assignment_id,
        username=username,
        attempt=attempt,
        received_at=received_at,
        late_stage="on-time",
        credit_percent=100.0,
        storage="x",
        files={},
        size=0,
    )
    session.add(sub)
    session.flush()
    session.add(
        Grade(
            submission_id=sub.id,
            course_id=course_id,
            assignment_id=assignment_id,
            username=username,
            state=state,
            auto_score=score,
            raw_score=score,
            max_score=max_score,
            score=score,
            cells=[],
            graded_by=graded_by,
            graded_at=received_at + timedelta(minutes=1),
        )
    )
    return sub.id


def add_full_marks(session, course_id: str, username: str, *, graded_by: str = "test") -> None:
    """A submission of ``ex1`` graded 2/2 for ``username`` (see add_graded_submission)."""
    add_graded_submission(session, course_id, username, graded_by=graded_by)


def write_peer_course(root: Path, course_id: str, peer_review: dict) -> Path:
    """A course (two runs: spring started 3 days ago, autumn later) whose ``ex1`` carries
    ``peer_review`` and a manually graded essay cell of 4 points (ex1: 6 points)."""
    today = date.today()
    runs = [
        {
            "id": "spring",
            "start": str(today - timedelta(days=3)),
            "end": str(today + timedelta(60)),
        },
        {"id": "autumn", "start": str(today + timedelta(90)), "end": str(today + timedelta(150))},
    ]
    folder = write_course(root, course_id, pacing={"mode": "cohort", "runs": runs})
    source = folder / "source" / "ex1" / "ex1.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"].append(
        {
            "cell_type": "markdown",
            "id": "essay",
            "metadata": {
                "nbgrader": {
                    "grade": True,
                    "solution": True,
                    "locked": False,
                    "points": 4,
                    "grade_id": "essay",
                    "schema_version": 3,
                }
            },
            "source": "YOUR ANSWER HERE",
        }
    )
    source.write_text(json.dumps(nb))
    data = yaml.safe_load((folder / "course.yml").read_text())
    assignment = data["modules"][0]["assignments"][0]
    assignment["points"] = 6
    assignment["peer_review"] = peer_review
    (folder / "course.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder
