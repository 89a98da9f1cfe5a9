"""Quizzes scored by the service: key kept server-side, every question type, attempt limits,
the due date, per-learner option order; and the dashboards' data (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden
from nbcampus.school.core.models import utcnow
from nbcampus.school.deadlines.schedule import grant_override, resolve_deadlines
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.enrolment.enrolments import find_enrolment
from nbcampus.school.progress import dashboards
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.quizzes.attempts import (
    best_attempts,
    learner_quiz,
    publish_quizzes,
    submit_attempt,
)
from nbcampus.school.quizzes.models import QuizRecord

DEMO = Path(__file__).resolve().parents[2] / "courses" / "python-data"
QUIZ = "week1-quiz"
#: right answers to the demo's week-1 quiz, by question id (option indexes in the file's order)
RIGHT = {
    "w1-division-type": 1,
    "w1-return": [0, 2],
    "w1-modulo": 2,
    "w1-output": "20\n",
    "w1-def": " def",
}


@pytest.fixture
def demo(database):
    course = load_course(DEMO)
    with database.session() as session:
        publish_course(session, course)
        assert publish_quizzes(session, course) == ["week1-quiz", "week2-quiz", "week3-quiz"]
    for name in ("ana", "bo", "cy"):
        with database.session() as session:
            rules.enrol(session, course.id, rules.Learner(name))
    return course


def attempt(database, username, answers):
    with database.session() as session:
        return submit_attempt(session, "python-data", QUIZ, username, answers)


def test_key_stays_in_the_service_and_learners_get_questions_only(database, demo):
    with database.session() as session:
        record = session.scalar(select(QuizRecord).where(QuizRecord.quiz_id == QUIZ))
        assert record.key["w1-modulo"] == {"answer": 2, "tolerance": 0}
        assert record.key["w1-def"] == {"patterns": ["^\\s*def\\s*$"]}
        shown = learner_quiz(session, "python-data", QUIZ, "ana")
    text = json.dumps(shown, default=str)
    for field in ('"answer"', '"tolerance"', '"patterns"', "^\\\\s*def"):
        assert field not in text
    assert [q["id"] for q in shown["questions"]] == list(RIGHT)
    assert shown["max_attempts"] == 3 and shown["max_score"] == 6
    output = next(q for q in shown["questions"] if q["type"] == "output")
    assert output["code"].startswith("x = 10")


def test_every_question_type_is_scored(database, demo):
    right = attempt(database, "ana", RIGHT)
    assert right.score == right.max_score == 6
    assert all(r["correct"] for r in right.results.values())
    wrong = attempt(
        database,
        "bo",
        {
            "w1-division-type": 0,
            "w1-return": [0],  # part of the set is not the set
            "w1-modulo": 2.5,
            "w1-output": "10",
            "w1-def": "function",
        },
    )
    assert wrong.score == 0 and not any(r["correct"] for r in wrong.results.values())
    # unanswered questions score nothing; a numeric answer may come as text
    partial = attempt(database, "cy", {"w1-modulo": "2"})
    assert partial.score == 1 and partial.results["w1-modulo"]["correct"]


def test_numeric_tolerance(database, make_course, tmp_path):
    import nbformat

    folder = make_course("tol")
    nb = nbformat.v4.new_notebook()
    q = {"id": "pi", "type": "numeric", "answer": 3.14159, "tolerance": 0.01, "points": 2}
    nb.cells = [nbformat.v4.new_markdown_cell("Pi?", metadata={"nbcampus": {"question": q}})]
    nbformat.write(nb, folder / "quizzes" / "quiz1.ipynb")
    course = load_course(folder)
    with database.session() as session:
        publish_course(session, course)
        publish_quizzes(session, course)
        rules.enrol(session, "tol", rules.Learner("ana"))
    with database.session() as session:
        assert submit_attempt(session, "tol", QUIZ, "ana", {"pi": 3.15}).score == 2
    with database.session() as session:
        assert submit_attempt(session, "tol", QUIZ, "ana", {"pi": 3.16}).score == 0
    with (
        database.session() as session,
        pytest.raises(CampusError, match="question pi: give a number"),
    ):
        submit_attempt(session, "tol", QUIZ, "ana", {"pi": "three"})


def test_malformed_and_unknown_answers_are_refused_by_name(database, demo):
    with pytest.raises(CampusError, match="question w1-return: give a list of option indexes"):
        attempt(database, "ana", {"w1-return": "0,2"})
    with pytest.raises(CampusError, match="has no question nope"):
        attempt(database, "ana", {"nope": 1})


def test_attempt_limit_and_best_attempt_counts(database, demo):
    attempt(database, "ana", {"w1-modulo": 2})
    attempt(database, "ana", RIGHT)
    attempt(database, "ana", {})
    with pytest.raises(Conflict, match="no attempts left: quiz week1-quiz allows 3"):
        attempt(database, "ana", RIGHT)
    with database.session() as session:
        assert best_attempts(session, "python-data") == {"ana": {QUIZ: 6.0}}
        shown = learner_quiz(session, "python-data", QUIZ, "ana")
    assert [a["score"] for a in shown["attempts"]] == [1, 6, 0]


def test_quiz_closes_at_the_learners_due_date(database, demo):
    with database.session() as session:
        grant_override(
            session,
            demo.data,
            QUIZ,
            utcnow() - timedelta(minutes=1),
            granted_by="instructor",
            reason="closed early for the test",
            username="ana",
        )
    with pytest.raises(Forbidden, match="quiz week1-quiz closed at"):
        attempt(database, "ana", RIGHT)
    assert attempt(database, "bo", RIGHT).score == 6  # bo's own due date is a week away


def test_not_enrolled_learner_gets_no_quiz(database, demo):
    with database.session() as session, pytest.raises(Forbidden):
        learner_quiz(session, "python-data", QUIZ, "stranger")


def test_option_order_is_per_learner_and_stable(database, demo):
    def orders(username):
        with database.session(readonly=True) as session:
            shown = learner_quiz(session, "python-data", QUIZ, username)
        return {
            q["id"]: [o["index"] for o in q["options"]]
            for q in shown["questions"]
            if "options" in q
        }

    ana = orders("ana")
    assert ana == orders("ana")  # a reload keeps the order
    assert sorted(ana["w1-division-type"]) == [0, 1, 2, 3]
    assert any(orders(other) != ana for other in ("bo", "cy"))


def test_dashboard_item_statistics_and_learners_at_risk(database, demo):
    attempt(database, "ana", RIGHT)
    attempt(database, "bo", {"w1-division-type": 1, "w1-modulo": 2})
    attempt(database, "cy", {"w1-modulo": 3})
    with database.session() as session:
        session.add(ActivityEvent(username="ana", course_id="python-data", kind="open"))
    with database.session(readonly=True) as session:
        items = {r["question"]: r for r in dashboards.quiz_item_statistics(session, "python-data")}
        at_risk = dashboards.learners_at_risk(session, "python-data", idle_days=0)
        enrolment = dashboards.enrolment_over_time(session, "python-data")
        activity = dashboards.activity_over_time(session, "python-data")
        csv_text = dashboards.to_csv(dashboards.enrolment_over_time(session, "python-data"))
    assert items["w1-division-type"]["difficulty"] == pytest.approx(2 / 3, abs=1e-3)
    assert items["w1-return"]["difficulty"] == pytest.approx(1 / 3, abs=1e-3)
    assert items["w1-division-type"]["discrimination"] > 0
    assert items["w1-modulo"]["responses"] == 3
    assert {r["username"] for r in at_risk} == {"ana", "bo", "cy"}  # idle_days=0: everyone
    assert enrolment[-1]["total"] == 3
    assert activity[0]["active_learners"] == 1
    assert csv_text.splitlines()[0] == "day,new,total"


def test_dashboard_page_plots_every_section_with_data():
    from nbcampus.service.pages.dashboard import render

    sections = {
        "enrolment": [{"day": "2026-11-22", "new": 3, "total": 3}],
        "activity": [
            {"day": "2026-11-22", "active_learners": 2, "active_minutes": 5.0, "executions": 4}
        ],
        "grades": [
            {"assignment": "ex1", "username": u, "score": s, "max_score": 2, "percent": 50.0 * s}
            for u, s in (("ana", 1), ("bo", 2))
        ],
        "quiz_items": [
            {
                "quiz": "week1-quiz",
                "question": "q1",
                "type": "single",
                "responses": 1,
                "difficulty": None,
                "discrimination": None,
            }
        ],
        "at_risk": [{"username": "<b>cy</b>", "last_activity": None, "idle_days": 9, "missed": ""}],
    }
    page = render("c1", "Course <1>", "/services/nbcampus/api/", sections, "spring")
    assert page.count("<svg") == 4  # every section but the at-risk table has a plot
    assert "&lt;b&gt;cy&lt;/b&gt;" in page and "<b>cy</b>" not in page
    assert "Course &lt;1&gt;" in page
    assert "/services/nbcampus/api/courses/c1/dashboard/grades?format=csv&amp;cohort=spring" in page


def test_the_quizs_deadline_says_closed_as_the_service_does(database, demo):
    """One rule: the deadlines package's late policy. A quiz past its due date is "closed" in
    the deadlines the panel shows, and the service refuses the attempt in the same words."""
    with database.session() as session:
        grant_override(
            session,
            demo.data,
            QUIZ,
            utcnow() - timedelta(minutes=1),
            granted_by="instructor",
            reason="closed early for the test",
            username="ana",
        )
    with database.session(readonly=True) as session:
        enrolment = find_enrolment(session, "python-data", "ana")
        shown = {
            d.item_id: d.as_json()
            for d in resolve_deadlines(session, demo.data, enrolment).values()
        }
    assert shown[QUIZ]["stage"] == "closed"
    assert shown[QUIZ]["late_policy"] == {"hard_close_days": 0}
    exercise = next(iter(demo.modules[0]["assignments"]))
    assert shown[exercise["id"]]["late_policy"] == exercise["late_policy"]
    assert shown[exercise["id"]]["stage"] == "on-time"
    with pytest.raises(Forbidden, match="quiz week1-quiz closed at"):
        attempt(database, "ana", RIGHT)


def test_a_closed_quiz_says_when_in_words_not_an_iso_timestamp(database, demo):
    with database.session() as session:
        grant_override(
            session,
            demo.data,
            QUIZ,
            utcnow() - timedelta(minutes=1),
            granted_by="instructor",
            reason="closed early",
            username="ana",
        )
    with pytest.raises(Forbidden) as refused:
        attempt(database, "ana", RIGHT)
    message = str(refused.value)
    assert re.search(r"closed at \d{4}-\d\d-\d\d \d\d:\d\d UTC$", message), message
