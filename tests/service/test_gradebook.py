"""The gradebook export for an LMS: a column per exercise and quiz, the course score, late
penalties applied, in Moodle's and Canvas's import CSV; every figure from the rule that owns it
(the CSV parsed back and checked cell by cell, on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from nbcampus.school.catalog.api import Cohort, CourseRecord
from nbcampus.school.core.api import Database, utcnow
from nbcampus.school.enrolment.api import Enrolment
from nbcampus.school.grading.api import Grade, set_cell_score
from nbcampus.school.progress.api import course_scores, export, gradebook
from nbcampus.school.quizzes.api import QuizAttempt, QuizRecord
from nbcampus.testing import add_graded_submission

from .conftest import call
from .test_cli import nbcampus

NOW = utcnow().replace(microsecond=0)

COURSE = {
    "id": "books",
    "title": "Books",
    "format": "spoc",
    "pedagogy": "xmooc",
    "modules": [
        {
            "id": "week1",
            "title": "Week 1",
            "assignments": [{"id": "a1", "title": "Essay", "points": 10}],
            "quiz": {"file": "q1.ipynb", "title": "Check-in"},
        },
        {"id": "week2", "assignments": [{"id": "a2", "title": "=Project", "points": 20}]},
    ],
    "grading": {"weights": {"assignments": 0.75, "quizzes": 0.25}},
}


def _grade(s, username, assignment, points, max_points, credit=100.0):
    """A graded submission whose score the grading package computes from its cells and the
    submission's late credit (a staff score of its one manual cell)."""
    sid = add_graded_submission(
        s, "books", username, assignment, score=0.0, max_score=max_points, received_at=NOW
    )
    grade = s.query(Grade).filter_by(submission_id=sid).one()
    grade.credit_percent = credit
    grade.cells = [
        {
            "notebook": "nb",
            "grade_id": "c1",
            "kind": "manual",
            "points": 0.0,
            "max_points": max_points,
        }
    ]
    s.flush()
    set_cell_score(s, sid, "nb", "c1", points, None, actor="teacher", reason="marked")


@pytest.fixture
def school(database):
    """ana (cohort A): a1 8/10 on time, a2 16/20 late at 50% credit, quiz 3/4 (after 1/4).
    bo (cohort B): the quiz 4/4 only. cy: nothing. dan: unenrolled, left out."""
    with database.session() as s:
        s.add(
            CourseRecord(
                id="books",
                title="Books",
                format="spoc",
                pedagogy="xmooc",
                data=COURSE,
                source_hash="h",
            )
        )
        s.flush()
        cohorts = {n: Cohort(course_id="books", name=n, starts_at=NOW) for n in ("A", "B")}
        s.add_all(cohorts.values())
        s.flush()
        for name, cohort, status in [
            ("ana", "A", "enrolled"),
            ("bo", "B", "enrolled"),
            ("cy", "A", "enrolled"),
            ("dan", "A", "unenrolled"),
        ]:
            s.add(
                Enrolment(
                    course_id="books", username=name, status=status, cohort_id=cohorts[cohort].id
                )
            )
        s.add(
            QuizRecord(
                course_id="books",
                quiz_id="week1-quiz",
                module_id="week1",
                title="Check-in",
                questions=[{"id": f"q{i}", "points": 1} for i in range(4)],
                key={},
                source_hash="h",
            )
        )
        s.flush()
        _grade(s, "ana", "a1", 8.0, 10.0)
        _grade(s, "ana", "a2", 16.0, 20.0, credit=50.0)
        _grade(s, "dan", "a1", 10.0, 10.0)
        for who, attempt, score in [("ana", 1, 1.0), ("ana", 2, 3.0), ("bo", 1, 4.0)]:
            s.add(
                QuizAttempt(
                    course_id="books",
                    quiz_id="week1-quiz",
                    username=who,
                    attempt=attempt,
                    submitted_at=NOW - timedelta(minutes=10 - attempt),
                    answers={},
                    results={},
                    score=score,
                    max_score=4.0,
                )
            )
    return database


# ana: a1 earns 10 * 8/10 = 8, a2 earns 20 * (16 * 50%)/20 = 8; quiz 3 of 4
ANA_SCORE = 100 * (0.75 * 16 / 30 + 0.25 * 3 / 4)  # 58.75
BO_SCORE = 100 * 0.25  # 25


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_moodle_csv_has_every_figure_of_the_owning_rules(school):
    with school.session(readonly=True) as s:
        book = gradebook(s, "books")
        text = export(book, "moodle", emails={"ana": "ana@uni.example"})
        scores = course_scores(s, "books", COURSE)
    rows = _rows(text)
    assert rows[0] == [
        "Username",
        "Email address",
        "Cohort",
        "Essay",
        "Check-in",
        "'=Project",  # a title a spreadsheet would run as a formula is made inert
        "Course score",
    ]
    assert rows[1:] == [
        ["ana", "ana@uni.example", "A", "8", "3", "8", "58.75"],
        ["bo", "", "B", "", "4", "", "25"],
        ["cy", "", "A", "", "", "", "0"],
    ]
    # the course score is the progress package's (dan, unenrolled, is not in the gradebook)
    assert scores == pytest.approx({"ana": ANA_SCORE, "bo": BO_SCORE, "dan": 25.0})
    assert book.lines[0].late_credit == {"a2": 50.0}


def test_canvas_csv_has_its_points_possible_row_and_item_ids(school):
    with school.session(readonly=True) as s:
        text = export(gradebook(s, "books"), "canvas")
    rows = _rows(text)
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Essay (a1)",
        "Check-in (week1-quiz)",
        "'=Project (a2)",
        "Course score (course-score)",
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "4", "20", "100"]
    assert rows[2:] == [
        ["ana", "", "ana", "ana", "A", "8", "3", "8", "58.75"],
        ["bo", "", "bo", "bo", "B", "", "4", "", "25"],
        ["cy", "", "cy", "cy", "A", "", "", "", "0"],
    ]


def test_an_unknown_format_is_refused(school):
    with school.session(readonly=True) as s:
        book = gradebook(s, "books")
    with pytest.raises(Exception, match="'excel' is not one of moodle, canvas"):
        export(book, "excel")


@pytest.mark.hub
def test_staff_download_it_learners_are_refused(campus, tmp_path):
    learner = f"gb-{uuid.uuid4().hex[:8]}"
    r = call(campus, "teacher", "POST", "courses/open-mooc/enrolments", json={"username": learner})
    assert r.status_code == 201, r.text
    db = Database(campus.db_url)
    try:
        with db.session() as s:
            sid = add_graded_submission(s, "open-mooc", learner, "ex1", score=2.0, max_score=2.0)
            sub_grade = s.query(Grade).filter_by(submission_id=sid).one()
            sub_grade.credit_percent, sub_grade.score = 50.0, 1.0  # as the late policy gives it
    finally:
        db.dispose()
    for who in ("teacher", "ta"):
        r = call(campus, who, "GET", "courses/open-mooc/gradebook?format=canvas")
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/csv")
        assert "open-mooc-gradebook-canvas.csv" in r.headers["Content-Disposition"]
        rows = _rows(r.text)
        assert rows[0][5:] == [
            "Exercise 1 (ex1)",
            "Quiz 1 (week1-quiz)",
            "Course score (course-score)",
        ]
        assert rows[1][5:] == ["2", "1", "100"]  # the quiz: its published questions' points
        mine = next(row for row in rows if row[0] == learner)
        # ex1 earns 2 * (1 / 2) = 1 point: 0.7 * 1/2 of the score; the quiz is not attempted
        assert mine[5:] == ["1", "", "35"]
    assert call(campus, "ana", "GET", "courses/open-mooc/gradebook").status_code == 403
    r = call(campus, "teacher", "GET", "courses/open-mooc/gradebook?format=excel")
    assert r.status_code == 400
    out = tmp_path / "book.csv"
    r = nbcampus(campus, "teacher", "grades", "export", "open-mooc", f"--output={out}")
    assert r.returncode == 0, r.stderr
    assert "written to" in r.stdout
    moodle = _rows(out.read_text())
    assert moodle[0][:3] == ["Username", "Email address", "Cohort"]
    assert any(row[0] == learner and row[3] == "1" for row in moodle)
    r = nbcampus(campus, "ana", "grades", "export", "open-mooc")
    assert r.returncode == 1 and "error: 403" in r.stderr


def test_the_report_page_links_the_gradebook_for_graders_only(school):
    from nbcampus.service.pages.report import gather, render

    with school.session(readonly=True) as s:
        data = gather(s, "books", None, None)
    link = "/api/courses/books/gradebook?format=canvas"
    assert link in render(data, "/api/", None, gradebook=True)
    assert "gradebook" not in render(data, "/api/", None)
