"""One weighted course score: the reports, a learner's own progress line, the score API and the
certificate decision agree, on a course whose quizzes give different points.

Before the school layout, reports weighted quizzes by points while certificate eligibility
counted each quiz alike: on this course the two gave 63.75% and 75% for the same learner.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from nbcampus.school.catalog.api import CourseRecord
from nbcampus.school.certificates.api import evaluate
from nbcampus.school.core.api import utcnow
from nbcampus.school.enrolment.api import Enrolment
from nbcampus.school.grading.api import counted_attempt, current_grades
from nbcampus.school.progress.api import ScoreRule, course_scores, learner_report
from nbcampus.school.quizzes.api import QuizAttempt, QuizRecord
from nbcampus.testing import add_graded_submission

NOW = utcnow().replace(microsecond=0)

COURSE = {
    "id": "scored",
    "title": "Scored",
    "format": "mooc",
    "pedagogy": "xmooc",
    "modules": [
        {"id": "week1", "assignments": [{"id": "a1", "points": 10}], "quiz": {"file": "q1.ipynb"}},
        {"id": "week2", "assignments": [{"id": "a2", "points": 30}], "quiz": {"file": "q2.ipynb"}},
    ],
    "grading": {"weights": {"assignments": 0.5, "quizzes": 0.5}},
    "certificate": {"enabled": True, "min_score": 60},
}
#: quiz id -> the points of its questions: a 2-point quiz and an 8-point quiz
QUIZZES = {"week1-quiz": [1, 1], "week2-quiz": [4, 4]}


def _grade(session, username, assignment, score, max_score, attempt=1, state="graded"):
    add_graded_submission(
        session,
        "scored",
        username,
        assignment,
        score=score,
        max_score=max_score,
        attempt=attempt,
        received_at=NOW - timedelta(hours=10 - attempt),
        state=state,
    )


def _attempt(session, username, quiz_id, attempt, score):
    session.add(
        QuizAttempt(
            course_id="scored",
            quiz_id=quiz_id,
            username=username,
            attempt=attempt,
            submitted_at=NOW - timedelta(minutes=30 - attempt),
            answers={},
            results={},
            score=score,
            max_score=float(sum(QUIZZES[quiz_id])),
        )
    )


@pytest.fixture
def school(database):
    """ana: a1 5/10, a2 30/30, quiz 1 2/2, quiz 2 2/8 (after a 0). bo: a2 15/30 (a later attempt
    under review does not count), quiz 2 8/8. cy: nothing yet."""
    with database.session() as s:
        s.add(
            CourseRecord(
                id="scored",
                title="Scored",
                format="mooc",
                pedagogy="xmooc",
                data=COURSE,
                source_hash="h",
            )
        )
        s.flush()
        for name in ("ana", "bo", "cy"):
            s.add(Enrolment(course_id="scored", username=name, status="enrolled"))
        for quiz_id, points in QUIZZES.items():
            s.add(
                QuizRecord(
                    course_id="scored",
                    quiz_id=quiz_id,
                    module_id=quiz_id.removesuffix("-quiz"),
                    title=quiz_id,
                    questions=[{"id": f"q{i}", "points": p} for i, p in enumerate(points)],
                    key={},
                    source_hash="h",
                )
            )
        s.flush()
        _grade(s, "ana", "a1", 5.0, 10.0)
        _grade(s, "ana", "a2", 30.0, 30.0)
        _attempt(s, "ana", "week1-quiz", 1, 2.0)
        _attempt(s, "ana", "week2-quiz", 1, 0.0)
        _attempt(s, "ana", "week2-quiz", 2, 2.0)
        _grade(s, "bo", "a2", 15.0, 30.0)
        _grade(s, "bo", "a2", 30.0, 30.0, attempt=2, state="review")
        _attempt(s, "bo", "week2-quiz", 1, 8.0)
    return database


# ana: assignments (10 * 0.5 + 30) / 40 = 0.875, quizzes by points (2 + 2) / 10 = 0.4
ANA = 63.75  # 100 * (0.5 * 0.875 + 0.5 * 0.4); counting each quiz alike would give 75
# bo: assignments 15 / 40 = 0.375, quizzes 8 / 10 = 0.8
BO = 58.75  # 100 * (0.5 * 0.375 + 0.5 * 0.8)
#: reports round to one decimal
TENTH = 0.05 + 1e-9


def test_reports_progress_scores_and_certificates_agree(school):
    with school.session(readonly=True) as s:
        course = s.get(CourseRecord, "scored")
        report = {r["username"]: r["score"] for r in learner_report(s, "scored")}
        own = learner_report(s, "scored", username="ana")[0]["score"]
        scores = course_scores(s, "scored", course.data)
        verdicts = evaluate(s, course)
    assert report["cy"] is None
    assert report["ana"] == pytest.approx(ANA, abs=TENTH)
    assert report["bo"] == pytest.approx(BO, abs=TENTH)
    assert own == report["ana"]
    assert scores == pytest.approx({"ana": ANA, "bo": BO})
    assert verdicts["ana"].score == pytest.approx(ANA) and verdicts["ana"].eligible
    assert verdicts["bo"].score == pytest.approx(BO) and not verdicts["bo"].eligible
    assert verdicts["bo"].missing == ["score 58.8% is below the 60% required"]
    assert verdicts["cy"].score == 0.0


def test_the_python_and_sql_forms_of_the_rule_agree_on_edge_cases(school):
    """A part without points gives its weight to the other; zero weights count parts alike;
    a grade above its maximum counts as full marks, not more."""
    data = dict(COURSE, grading={"weights": {"assignments": 0.0, "quizzes": 0.0}})
    with school.session() as s:
        s.get(CourseRecord, "scored").data = data
        _grade(s, "cy", "a1", 12.0, 10.0)
    with school.session(readonly=True) as s:
        report = {r["username"]: r["score"] for r in learner_report(s, "scored")}
        scores = course_scores(s, "scored", data)
    # both weights 0: assignments and quizzes count alike
    assert scores["ana"] == pytest.approx(100 * (0.875 + 0.4) / 2)
    assert scores["cy"] == pytest.approx(100 * (10 / 40) / 2)
    assert set(report) == set(scores)
    for username, score in scores.items():
        assert report[username] == pytest.approx(score, abs=TENTH)


def test_a_course_without_quiz_points_scores_assignments_only():
    rule = ScoreRule.of(
        {
            "modules": COURSE["modules"],
            "grading": {"weights": {"assignments": 0.3, "quizzes": 0.7}},
        },
        quiz_points={},
    )
    assert rule.weights() == (0.3, 0.0)
    assert rule.score({"a1": (10.0, 10.0)}, {"week1-quiz": 2.0}) == pytest.approx(25.0)
    nothing = ScoreRule.of({"modules": []}, quiz_points={})
    assert nothing.score({}, {}) is None


@pytest.mark.parametrize("counted, a1", [(None, 10.0), ("best", 10.0), ("latest", 6.0)])
def test_a_later_worse_submission_keeps_the_best_grade_unless_the_course_counts_the_latest(
    school, counted, a1
):
    """cy: a1 10/10 then 6/10. By default (``best``, as for quizzes) the 10 counts; a course
    file saying ``grading.counted_attempt: latest`` counts the 6. Every form of the score
    agrees: the report (SQL), course_scores, the certificate decision and current_grades."""
    grading = dict(COURSE["grading"], **({"counted_attempt": counted} if counted else {}))
    data = dict(COURSE, grading=grading)
    with school.session() as s:
        s.get(CourseRecord, "scored").data = data
        _grade(s, "cy", "a1", 10.0, 10.0, attempt=1)
        _grade(s, "cy", "a1", 6.0, 10.0, attempt=2)
    expected = 100 * 0.5 * (a1 / 40)  # no quiz taken
    with school.session(readonly=True) as s:
        report = {r["username"]: r["score"] for r in learner_report(s, "scored")}
        scores = course_scores(s, "scored", data)
        verdicts = evaluate(s, s.get(CourseRecord, "scored"))
        current = current_grades(s, "scored", ["cy"], data)
    assert current["cy"]["a1"].score == a1
    assert scores["cy"] == pytest.approx(expected)
    assert report["cy"] == pytest.approx(expected, abs=TENTH)
    assert verdicts["cy"].score == pytest.approx(expected)
    assert counted_attempt(data) == (counted or "best")
