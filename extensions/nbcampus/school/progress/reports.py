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
- *discussion*: messages posted, questions asked and answered, the median minutes to a
  question's first answer (cohorts) and the distinct members a learner exchanged with
  (``discussion_connections``), live sessions attended, as the discussion package measures
  them (``discussion/figures.py``);
- *certificates*: issued and not revoked, counted by the certificates package and given to the
  reports by their caller (certificates sit above progress).
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import Cohort, get_course
from nbcampus.school.core.api import utcnow
from nbcampus.school.discussion.api import (
    COHORT_MEASURES,
    LEARNER_MEASURES,
    cohort_figures,
    learner_figures,
)
from nbcampus.school.enrolment.api import Enrolment
from nbcampus.school.peer_review.api import LEARNER_MEASURES as PEER_MEASURES
from nbcampus.school.peer_review.api import reviews_given_by
from nbcampus.school.profiles.api import shown_name_sql
from nbcampus.school.progress.lines import (
    ALL_COHORTS,
    BUCKETS,
    ReportPlan,
    bucket,
    learner_lines,
    report_plan,
)
from nbcampus.school.progress.videos import VIDEO_MEASURES, videos_done_by


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
    query = (
        learner_lines(plan, cohorts, username, now)
        .add_columns(shown_name_sql(Enrolment.username).label("display_name"))
        .order_by(Enrolment.username)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for r in session.execute(query).mappings():
        row: dict[str, Any] = {
            "username": r["username"],
            # the name shown for the learner (profiles: their display name, else the username)
            "display_name": r["display_name"],
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
                **dict.fromkeys(LEARNER_MEASURES, 0),
                **dict.fromkeys(PEER_MEASURES, 0),
                **dict.fromkeys(VIDEO_MEASURES, 0),
                "certificates": (
                    None if certificates is None else certificates.get(r["username"], 0)
                ),
            }
        )
        rows.append(row)
    names = {row["username"] for row in rows}
    figures = learner_figures(session, course_id, names)
    peer = reviews_given_by(session, course_id, names)
    videos = videos_done_by(session, get_course(session, course_id).data, names)
    for row in rows:
        row.update(figures.get(row["username"], {}))
        row.update(peer.get(row["username"], {}))
        row.update(videos.get(row["username"], {}))
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
        *COHORT_MEASURES,
        "certificates_issued",
    ]


def learner_columns(plan: ReportPlan) -> list[str]:
    """The columns of the per-learner report (its CSV header, also when there are no rows)."""
    return [
        "username",
        "display_name",
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
        *LEARNER_MEASURES,
        *PEER_MEASURES,
        *VIDEO_MEASURES,
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
    lines = learner_lines(plan, cohorts, None, now).subquery("lines")
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
            func.sum(case((and_(c.graded == 1, bucket(score) == i), 1), else_=0)).label(f"b{i}")
            for i in range(len(BUCKETS))
        ),
    ).group_by(c.cohort)
    found = {r["cohort"]: r for r in session.execute(query).mappings()}
    # the time to complete of each learner who completed: one row per completer, not per event;
    # it needs no activity, so the events are not scanned twice
    done = learner_lines(plan, cohorts, None, now, with_activity=False).subquery("done")
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
    discussion, discussion_total = cohort_figures(session, course_id, cohorts)
    for row in rows:
        row.update(discussion.get(row["cohort"], {}))
    total.update(discussion_total)
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
    row.update(dict.fromkeys(COHORT_MEASURES, 0), median_minutes_to_first_answer=None)
    row["certificates_issued"] = None if certificates is None else certificates.get(name, 0)
    return row
