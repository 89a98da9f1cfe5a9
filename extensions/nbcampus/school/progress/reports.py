"""Reports for training managers and instructors: one line per cohort, one line per learner.

Every measure is aggregated by the database (GROUP BY over activity events, grades and quiz
attempts); Python only sees one row per learner or per cohort. The measures, as docs/reports.md
defines them:

- *enrolled*: enrolments with status ``enrolled`` (waitlisted and unenrolled learners are left out);
- *active 7 d / 30 d*: enrolled learners with any activity event in the last 7 / 30 days (server clock);
- *connections*: activity events of kind ``connect`` (one per workspace session);
- *time per module*: the seconds of ``active`` events, per module of the course file;
- *score*: the weighted course score in percent (the course file's ``grading.weights``), where an
  assignment counts its current grade (latest attempt graded) and a quiz its best attempt, and
  work not done counts 0; the *grade average and distribution* are over learners with any grade
  or quiz attempt;
- *completed*: every assignment of every module has a current grade of at least the course's
  ``grading.pass_score`` percent (50 when the course file sets none) and every module's quiz has
  been attempted; *completed at* is the latest of those passing submissions and first quiz
  attempts, and *days to complete* counts from the enrolment;
- *discussion messages*: not available (None): nbcampus has no discussion yet;
- *certificates*: issued and not revoked, counted by the certificates package and given to the
  reports by their caller (certificates sit above progress).
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from nbcampus.school.catalog.api import Cohort, find_cohort, get_course
from nbcampus.school.core.api import UTCDateTime, utcnow
from nbcampus.school.enrolment.api import ENROLLED, Enrolment
from nbcampus.school.exchange.api import Submission
from nbcampus.school.grading.api import Grade
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
    )


def cohort_id_of(session: Session, course_id: str, cohort: str) -> int:
    """The id of the course's cohort named ``cohort`` (NotFound for no such cohort)."""
    return find_cohort(session, course_id, cohort).id


def _greatest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """The later of two nullable times, portably (SQLite has no GREATEST)."""
    return type_coerce(case((a.is_(None), b), (b.is_(None), a), (a > b, a), else_=b), UTCDateTime())


def _learner_lines(
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
            .over(partition_by=(G.username, G.assignment_id), order_by=S.attempt.desc())
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


def _bucket(score: ColumnElement) -> ColumnElement:
    """The distribution bucket (0..9) of a percent score, portably (no FLOOR in old SQLite)."""
    return case(*((score >= low, i) for i, (low, _) in reversed(list(enumerate(BUCKETS)))))


def _days(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 86400, 1)


def _minutes(seconds: float | None) -> float:
    return round((seconds or 0) / 60, 1)


def learner_report(
    session: Session,
    course_id: str,
    cohorts: Collection[str] | None = None,
    username: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    certificates: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    """One row per enrolled learner, ordered by name: the measures above plus the last activity.

    ``cohorts`` limits the rows to those cohorts (None: every learner of the course); ``username``
    to one learner (a learner's own line); ``limit`` to the first names. ``certificates``: the
    learners' certificate counts (``certificates.api.issued_per_learner``; None: not counted)."""
    plan = report_plan(session, course_id)
    now = now or utcnow()
    query = _learner_lines(plan, cohorts, username, now).order_by(Enrolment.username)
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for r in session.execute(query).mappings():
        row: dict[str, Any] = {
            "username": r["username"],
            "cohort": r["cohort"],
            "track": r["track"],
            "enrolled_at": r["enrolled_at"].isoformat(),
            "last_activity": r["last_activity"].isoformat() if r["last_activity"] else None,
            "active_7d": bool(r["active_7d"]),
            "active_30d": bool(r["active_30d"]),
            "connections": int(r["connections"]),
            "minutes_total": _minutes(r["active_seconds"]),
        }
        for i, name in enumerate(plan.module_columns):
            row[name] = _minutes(r[f"m{i}"])
        row.update(
            {
                "assignments_passed": int(r["assignments_passed"]),
                "assignments": len(plan.assignments),
                "quizzes_attempted": int(r["quizzes_attempted"]),
                "quizzes": len(plan.quizzes),
                "score": None if r["score"] is None else round(float(r["score"]), 1),
                "completed": None if r["completed"] is None else bool(r["completed"]),
                "completed_at": r["completed_at"].isoformat() if r["completed_at"] else None,
                "days_to_complete": _days(r["enrolled_at"], r["completed_at"]),
                "discussion_messages": None,
                "certificates": (
                    None if certificates is None else certificates.get(r["username"], 0)
                ),
            }
        )
        rows.append(row)
    return rows


def _cohort_columns(plan: ReportPlan) -> list[str]:
    return [
        "course",
        "cohort",
        "enrolled",
        "active_7d",
        "active_30d",
        "completed",
        "completion_rate",
        "median_days_to_complete",
        "connections",
        "minutes_total",
        *plan.module_columns,
        "graded_learners",
        "grade_average",
        *(f"grades_{low}_{high}" for low, high in BUCKETS),
        "discussion_messages",
        "certificates_issued",
    ]


def learner_columns(plan: ReportPlan) -> list[str]:
    """The columns of the per-learner report (its CSV header, also when there are no rows)."""
    return [
        "username",
        "cohort",
        "track",
        "enrolled_at",
        "last_activity",
        "active_7d",
        "active_30d",
        "connections",
        "minutes_total",
        *plan.module_columns,
        "assignments_passed",
        "assignments",
        "quizzes_attempted",
        "quizzes",
        "score",
        "completed",
        "completed_at",
        "days_to_complete",
        "discussion_messages",
        "certificates",
    ]


def cohort_report(
    session: Session,
    course_id: str,
    cohorts: Collection[str] | None = None,
    now: datetime | None = None,
    certificates: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The course report: one row per cohort (only ``cohorts`` when given) and their total.

    Returns ``{"course", "columns", "cohorts": [row], "total": row}``; every row has the keys of
    ``columns``. Cohorts without learners are listed with zeros. ``certificates``: the counts per
    cohort (``certificates.api.issued_per_cohort``; None: not counted)."""
    plan = report_plan(session, course_id)
    now = now or utcnow()
    lines = _learner_lines(plan, cohorts, None, now).subquery("lines")
    c = lines.c
    score = c.score
    query = select(
        c.cohort,
        func.count().label("enrolled"),
        func.sum(c.active_7d).label("active_7d"),
        func.sum(c.active_30d).label("active_30d"),
        func.sum(c.completed).label("completed"),
        func.sum(c.connections).label("connections"),
        func.sum(c.active_seconds).label("active_seconds"),
        *(func.sum(c[f"m{i}"]).label(f"m{i}") for i in range(len(plan.modules))),
        func.sum(c.graded).label("graded"),
        func.sum(score).label("score_sum"),
        *(
            func.sum(case((and_(c.graded == 1, _bucket(score) == i), 1), else_=0)).label(f"b{i}")
            for i in range(len(BUCKETS))
        ),
    ).group_by(c.cohort)
    found = {r["cohort"]: r for r in session.execute(query).mappings()}
    # the time to complete of each learner who completed: one row per completer, not per event;
    # it needs no activity, so the events are not scanned twice
    done = _learner_lines(plan, cohorts, None, now, with_activity=False).subquery("done")
    durations: dict[str, list[float]] = {}
    for cohort, enrolled_at, completed_at in session.execute(
        select(done.c.cohort, done.c.enrolled_at, done.c.completed_at).where(
            done.c.completed_at.is_not(None)
        )
    ):
        durations.setdefault(cohort, []).append(_days(enrolled_at, completed_at))

    names = list(
        session.scalars(
            select(Cohort.name)
            .where(Cohort.course_id == course_id)
            .order_by(Cohort.starts_at, Cohort.name)
        )
    )
    if cohorts is not None:
        names = [n for n in names if n in cohorts]
    names += [n for n in found if n not in names]  # learners outside any cohort
    rows = [
        _cohort_row(plan, name, found.get(name), durations.get(name, []), certificates)
        for name in names
    ]
    # the line of all cohorts shown: sums, the average over every graded learner, the median
    # over every completer
    summed = {
        key: sum(r[key] or 0 for r in found.values())
        for key in next(iter(found.values()), {}).keys()
        if key != "cohort"
    }
    total = _cohort_row(
        plan,
        ALL_COHORTS,
        summed or None,
        [d for ds in durations.values() for d in ds],
        None if certificates is None else {ALL_COHORTS: sum(certificates.values())},
    )
    return {"course": course_id, "columns": _cohort_columns(plan), "cohorts": rows, "total": total}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _cohort_row(plan, name, r, durations, certificates) -> dict[str, Any]:
    """A report line from the grouped sums ``r`` of one cohort (None: no learners)."""
    get = (lambda k: int(r[k] or 0)) if r is not None else (lambda k: 0)
    enrolled, completed, graded = get("enrolled"), get("completed"), get("graded")
    score_sum = float(r["score_sum"] or 0) if r is not None else 0.0
    row: dict[str, Any] = {
        "course": plan.course_id,
        "cohort": name,
        "enrolled": enrolled,
        "active_7d": get("active_7d"),
        "active_30d": get("active_30d"),
        "completed": completed if plan.assignments or plan.quizzes else None,
        "completion_rate": _rate(completed, enrolled) if plan.assignments or plan.quizzes else None,
        "median_days_to_complete": round(statistics.median(durations), 1) if durations else None,
        "connections": get("connections"),
        "minutes_total": _minutes(get("active_seconds")),
    }
    for i, column_name in enumerate(plan.module_columns):
        row[column_name] = _minutes(get(f"m{i}"))
    row["graded_learners"] = graded
    row["grade_average"] = round(score_sum / graded, 1) if graded else None
    for i, (low, high) in enumerate(BUCKETS):
        row[f"grades_{low}_{high}"] = get(f"b{i}")
    row["discussion_messages"] = None
    row["certificates_issued"] = None if certificates is None else certificates.get(name, 0)
    return row
