"""The quiz and dashboard API through a real hub: tokens, scopes, JSON and CSV."""

from __future__ import annotations

import pytest

from .conftest import call

pytestmark = pytest.mark.hub

QUIZ = "courses/open-mooc/quizzes/week1-quiz"


def test_learner_takes_a_quiz_through_the_api(campus):
    r = call(campus, "cy", "POST", "courses/open-mooc/enrolments", json={})
    assert r.status_code in (201, 409), r.text
    quiz = call(campus, "cy", "GET", QUIZ)
    assert quiz.status_code == 200, quiz.text
    (question,) = quiz.json()["questions"]
    assert "answer" not in question
    assert sorted(o["index"] for o in question["options"]) == [0, 1]
    r = call(campus, "cy", "POST", f"{QUIZ}/attempts", json={"answers": {"q1": 1}})
    assert r.status_code == 201, r.text
    assert r.json()["score"] == 1 and r.json()["feedback"]["q1"]["correct"] is True
    bad = call(campus, "cy", "POST", f"{QUIZ}/attempts", json={"answers": {"q1": "two"}})
    assert bad.status_code == 400 and bad.json()["message"] == "question q1: give one option index"
    # someone not enrolled gets neither the questions nor a score
    assert call(campus, "bo", "GET", "courses/other/quizzes/week1-quiz").status_code == 403


def test_dashboards_are_for_the_staff_of_that_course_only(campus):
    path = "courses/open-mooc/dashboard/quiz_items"
    assert call(campus, "teacher", "GET", path).status_code == 200
    ta = call(campus, "ta", "GET", path)
    assert ta.status_code == 200 and any(r["question"] == "q1" for r in ta.json()["rows"])
    # a learner, and the TA of open-mooc asking about a course they do not staff
    assert call(campus, "ana", "GET", path).status_code == 403
    assert call(campus, "ta", "GET", "courses/other/dashboard/quiz_items").status_code == 403
    csv = call(campus, "teacher", "GET", "courses/open-mooc/dashboard/enrolment?format=csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "day,new,total"
    missing = call(campus, "teacher", "GET", "courses/open-mooc/dashboard/nothing")
    assert (
        missing.status_code == 404 and "no dashboard section 'nothing'" in missing.json()["message"]
    )
