"""The plan of a course's report and the one SELECT that measures every learner of it.

The measures (activity, work passed, THE weighted course score from ``progress.score``,
completion) are aggregated by the database: Python sees one row per learner. reports.py
turns these rows into the report lines.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from nbcampus.school.catalog.api import Cohort, find_cohort, get_course
from nbcampus.school.core.api import UTCDateTime
from nbcampus.school.enrolment.api import ENROLLED, Enrolment
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.api import Grade, counted_order
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.progress.score import ScoreRule, rule_of
from nbcampus.school.quizzes.api import QuizAttempt

DEFAULT_PASS_SCORE = 50.0
#: grade distribution buckets: [0, 10), [10, 20) ... [90, 100]
BUCKETS = [(low, low + 10) for low in range(0, 100, 10)]
#: the cohort label of learners in no cohort, and of the line totalling all cohorts shown
NO_COHORT, ALL_COHORTS = "(none)", "(all)"


@dataclass(frozen=True)
class ReportPlan:
    """What the course file says a report measures: modules, their work, the score, pass mark."""

    course_id: str
    modules: list[str]
    #: the course's weighted score (its assignments' and quizzes' points and weights)
    rule: ScoreRule
    pass_score: float
    #: which graded attempt counts (``grading.api.counted_order``: the one rule)
    grade_order: tuple = ()

    @property
    def assignments(self) -> Mapping[str, float]:
        return self.rule.assignments

    @property
    def quizzes(self) -> Mapping[str, float]:
        return self.rule.quizzes

    @property
    def module_columns(self) -> list[str]:
        return [f"minutes_{m}" for m in self.modules]


def report_plan(session: Session, course_id: str) -> ReportPlan:
    """The plan of ``course_id`` from its published course file (NotFound for no such course)."""
    data = get_course(session, course_id).data
    return ReportPlan(
        course_id=course_id,
        modules=[m["id"] for m in data["modules"]],
        rule=rule_of(session, course_id, data),
        pass_score=float(data.get("grading", {}).get("pass_score", DEFAULT_PASS_SCORE)),
        grade_order=counted_order(data),
    )


def cohort_id_of(session: Session, course_id: str, cohort: str) -> int:
    """The id of the course's cohort named ``cohort`` (NotFound for no such cohort)."""
    return find_cohort(session, course_id, cohort).id


def _greatest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """The later of two nullable times, portably (SQLite has no GREATEST)."""
    return type_coerce(case((a.is_(None), b), (b.is_(None), a), (a > b, a), else_=b), UTCDateTime())


def learner_lines(
    plan: ReportPlan,
    cohorts: Collection[str] | None,
    username: str | None,
    now: datetime,
    with_activity: bool = True,
):
    """One SELECT giving a row per enrolled learner (optionally of some cohorts or one learner).

    Without ``with_activity`` the activity columns are 0 or NULL and the events are not read (the
    time to complete needs grades and quizzes only)."""
    course_id = plan.course_id
    A, G, S, Q, E = ActivityEvent, Grade, Submission, QuizAttempt, Enrolment

    learners = (
        select(E.username)
        .outerjoin(Cohort, Cohort.id == E.cohort_id)
        .where(E.course_id == course_id, E.status == ENROLLED)
    )
    if cohorts is not None:
        learners = learners.where(Cohort.name.in_(list(cohorts)))
    if username is not None:
        learners = learners.where(E.username == username)

    def only_learners(query, name_column):
        # narrow the scans to the learners reported on; the whole course needs no filter
        if username is not None:
            return query.where(name_column == username)
        if cohorts is not None:
            return query.where(name_column.in_(learners))
        return query

    active = A.kind == "active"
    activity = only_learners(
        select(
            A.username,
            func.max(A.at).label("last_activity"),
            func.sum(case((A.kind == "connect", 1), else_=0)).label("connections"),
            func.sum(case((active, A.seconds), else_=0)).label("active_seconds"),
            *(
                func.sum(case((and_(active, A.module_id == m), A.seconds), else_=0)).label(f"m{i}")
                for i, m in enumerate(plan.modules)
            ),
        ).where(A.course_id == course_id),
        A.username,
    ).group_by(A.username)
    activity = activity.subquery("activity")

    ranked = only_learners(
        select(
            G.username,
            G.score,
            G.max_score,
            plan.rule.earned_sql(G.assignment_id, G.score, G.max_score).label("earned"),
            S.received_at,
            func.row_number()
            .over(partition_by=(G.username, G.assignment_id), order_by=plan.grade_order)
            .label("rn"),
        )
        .join(S, S.id == G.submission_id)
        .where(
            G.course_id == course_id,
            G.state == "graded",
            G.assignment_id.in_(list(plan.assignments) or [""]),
        ),
        G.username,
    ).subquery("ranked")
    passing = ranked.c.score >= ranked.c.max_score * (plan.pass_score / 100.0)
    grades = (
        select(
            ranked.c.username,
            func.sum(ranked.c.earned).label("assignment_points"),
            func.sum(case((passing, 1), else_=0)).label("passed"),
            type_coerce(func.max(case((passing, ranked.c.received_at))), UTCDateTime()).label(
                "last_passed_at"
            ),
        )
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.username)
        .subquery("grades")
    )

    best = only_learners(
        select(
            Q.username,
            plan.rule.capped_quiz_sql(Q.quiz_id, func.max(Q.score)).label("best"),
            func.min(Q.submitted_at).label("first_at"),
        )
        .where(Q.course_id == course_id, Q.quiz_id.in_(list(plan.quizzes) or [""]))
        .group_by(Q.username, Q.quiz_id),
        Q.username,
    ).subquery("best")
    quizzes = (
        select(
            best.c.username,
            func.sum(best.c.best).label("quiz_points"),
            func.count().label("attempted"),
            type_coerce(func.max(best.c.first_at), UTCDateTime()).label("last_quiz_at"),
        )
        .group_by(best.c.username)
        .subquery("quizzes")
    )

    # THE weighted course score (progress.score), for every learner at once
    graded = or_(grades.c.username.is_not(None), quizzes.c.username.is_not(None))
    weighted = plan.rule.sql(
        func.coalesce(grades.c.assignment_points, 0), func.coalesce(quizzes.c.quiz_points, 0)
    )
    score = case((graded, weighted), else_=None)

    has_work = bool(plan.assignments or plan.quizzes)
    done = and_(
        func.coalesce(grades.c.passed, 0) == len(plan.assignments),
        func.coalesce(quizzes.c.attempted, 0) == len(plan.quizzes),
    )
    completed = case((done, 1), else_=0) if has_work else literal(None)
    completed_at = case(
        (done, _greatest(grades.c.last_passed_at, quizzes.c.last_quiz_at)), else_=None
    )

    week, month = now - timedelta(days=7), now - timedelta(days=30)
    if with_activity:
        last = activity.c.last_activity
        sums = [activity.c.connections, activity.c.active_seconds]
        sums += [activity.c[f"m{i}"] for i in range(len(plan.modules))]
    else:
        last = type_coerce(literal(None), UTCDateTime())
        sums = [literal(0)] * (2 + len(plan.modules))
    query = (
        select(
            E.username,
            func.coalesce(Cohort.name, NO_COHORT).label("cohort"),
            E.track,
            E.enrolled_at,
            last.label("last_activity"),
            case((last >= week, 1), else_=0).label("active_7d"),
            case((last >= month, 1), else_=0).label("active_30d"),
            func.coalesce(sums[0], 0).label("connections"),
            func.coalesce(sums[1], 0).label("active_seconds"),
            *(func.coalesce(sums[2 + i], 0).label(f"m{i}") for i in range(len(plan.modules))),
            func.coalesce(grades.c.passed, 0).label("assignments_passed"),
            func.coalesce(quizzes.c.attempted, 0).label("quizzes_attempted"),
            case((graded, 1), else_=0).label("graded"),
            score.label("score"),
            completed.label("completed"),
            type_coerce(completed_at, UTCDateTime()).label("completed_at"),
        )
        .outerjoin(Cohort, Cohort.id == E.cohort_id)
        .outerjoin(grades, grades.c.username == E.username)
        .outerjoin(quizzes, quizzes.c.username == E.username)
        .where(E.course_id == course_id, E.status == ENROLLED)
    )
    if with_activity:
        query = query.outerjoin(activity, activity.c.username == E.username)
    if cohorts is not None:
        query = query.where(Cohort.name.in_(list(cohorts)))
    if username is not None:
        query = query.where(E.username == username)
    return query


def bucket(score: ColumnElement) -> ColumnElement:
    """The distribution bucket (0..9) of a percent score, portably (no FLOOR in old SQLite)."""
    return case(*((score >= low, i) for i, (low, _) in reversed(list(enumerate(BUCKETS)))))
