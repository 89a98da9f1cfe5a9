"""Reports benchmark (issue: certificates and reports): the cohort report and the per-learner
report of one course with 100,000 learners and 2,000,000 activity events, on PostgreSQL.

Usage: .venv/bin/python benchmarks/reports.py [--learners 100000] [--events 2000000]
       [--cohorts 10] [--modules 6] [--repeat 3] [--index]

A fresh schema in the ``test`` database at 127.0.0.1:5432 (NBCAMPUS_TEST_PG_URL), migrated with
alembic like the service's tests do, is bulk loaded with COPY: the enrolments spread over the
cohorts, one graded submission per learner of the first assignment and one quiz attempt for half
of them, and the activity events (connect/open/active/execute over the modules and the last 60
days). Then each report is timed --repeat times (best and worst printed; target: under 5 s).
``--index`` first creates the extra index named in docs/reports.md, to measure with it.
Every loop is bounded; the schema is dropped at the end. Prints a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from nbcampus.school.catalog.models import Cohort, CourseRecord
from nbcampus.school.core.db import Database, upgrade
from nbcampus.school.progress import api as reports
from nbcampus.school.quizzes.models import QuizRecord
from nbcampus.testing import PG_URL

KINDS = ("connect", "open", "active", "execute")
INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_activity_report ON activity_events "
    "(course_id, username) INCLUDE (at, kind, module_id, seconds)"
)


def course_data(modules: int) -> dict:
    return {
        "id": "big",
        "title": "A big MOOC",
        "format": "mooc",
        "pedagogy": "xmooc",
        "modules": [
            {
                "id": f"week{i + 1}",
                "assignments": [{"id": f"ex{i + 1}", "points": 10}],
                "quiz": {"file": f"quizzes/quiz{i + 1}.ipynb"},
            }
            for i in range(modules)
        ],
        "grading": {"weights": {"assignments": 0.7, "quizzes": 0.3}, "pass_score": 50},
    }


def load(db: Database, args) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    with db.session() as s:
        s.add(
            CourseRecord(
                id="big",
                title="A big MOOC",
                format="mooc",
                pedagogy="xmooc",
                data=course_data(args.modules),
                source_hash="bench",
            )
        )
        s.flush()
        cohorts = [Cohort(course_id="big", name=f"run-{i}") for i in range(args.cohorts)]
        s.add_all(cohorts)
        for i in range(args.modules):
            s.add(
                QuizRecord(
                    course_id="big",
                    quiz_id=f"week{i + 1}-quiz",
                    module_id=f"week{i + 1}",
                    title="Quiz",
                    questions=[{"id": "q1", "points": 2}],
                    key={},
                    source_hash="bench",
                )
            )
        s.flush()
        cohort_ids = [c.id for c in cohorts]
    names = [f"learner{i:06d}" for i in range(args.learners)]
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.cursor() as cur:
            t0 = time.perf_counter()
            with cur.copy(
                "COPY enrolments (course_id, username, cohort_id, status, track, personal_start,"
                " enrolled_at, updated_at) FROM STDIN"
            ) as copy:
                for i, name in enumerate(names):
                    at = now - timedelta(days=rng.uniform(0, 90))
                    copy.write_row(
                        (
                            "big",
                            name,
                            cohort_ids[i % len(cohort_ids)],
                            "enrolled",
                            "audit",
                            at,
                            at,
                            at,
                        )
                    )
            with cur.copy(
                "COPY submissions (id, course_id, assignment_id, username, attempt, received_at,"
                " late_stage, credit_percent, storage, files, size) FROM STDIN"
            ) as copy:
                for i, name in enumerate(names):
                    copy.write_row(
                        (
                            f"s{i}",
                            "big",
                            "ex1",
                            name,
                            1,
                            now - timedelta(days=1),
                            "on_time",
                            100,
                            "x",
                            "{}",
                            0,
                        )
                    )
            with cur.copy(
                "COPY grades (submission_id, course_id, assignment_id, username, state, auto_score,"
                " manual_score, raw_score, max_score, credit_percent, score, cells, review_reasons,"
                " graded_at, graded_by) FROM STDIN"
            ) as copy:
                for i, name in enumerate(names):
                    score = float(rng.randint(0, 10))
                    copy.write_row(
                        (
                            f"s{i}",
                            "big",
                            "ex1",
                            name,
                            "graded",
                            score,
                            0,
                            score,
                            10,
                            100,
                            score,
                            "[]",
                            "[]",
                            now,
                            "grader",
                        )
                    )
            with cur.copy(
                "COPY quiz_attempts (course_id, quiz_id, username, attempt, submitted_at, answers,"
                " results, score, max_score) FROM STDIN"
            ) as copy:
                for name in names[::2]:
                    copy.write_row(
                        ("big", "week1-quiz", name, 1, now, "{}", "{}", float(rng.randint(0, 2)), 2)
                    )
            with cur.copy(
                "COPY activity_events (username, course_id, module_id, kind, seconds, count, at)"
                " FROM STDIN"
            ) as copy:
                for _ in range(args.events):
                    kind = KINDS[rng.randrange(4)]
                    copy.write_row(
                        (
                            names[rng.randrange(args.learners)],
                            "big",
                            f"week{rng.randrange(args.modules) + 1}",
                            kind,
                            rng.randint(10, 600) if kind == "active" else 0,
                            rng.randint(1, 5) if kind == "execute" else 0,
                            now - timedelta(seconds=rng.uniform(0, 60 * 86400)),
                        )
                    )
            if args.index:
                cur.execute(INDEX)
            conn.commit()
            cur.execute("ANALYZE")
            conn.commit()
            print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        raw.close()


def timed(db: Database, repeat: int, fn, *args, **kwargs) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        with db.session(readonly=True) as s:
            t0 = time.perf_counter()
            result = fn(s, *args, **kwargs)
            times.append(time.perf_counter() - t0)
    return min(times), max(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--cohorts", type=int, default=10)
    parser.add_argument("--modules", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--index", action="store_true", help="create " + INDEX)
    args = parser.parse_args()
    args.repeat = max(1, min(args.repeat, 20))

    schema = f"nbc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    figures: dict[str, object] = vars(args).copy()
    try:
        upgrade(url)
        db = Database(url)
        load(db, args)
        cases = [
            ("cohort report, whole course", reports.cohort_report, ("big",), {}),
            ("cohort report, one cohort", reports.cohort_report, ("big",), {"cohorts": {"run-0"}}),
            ("learner report, whole course", reports.learner_report, ("big",), {}),
            (
                "learner report, one cohort",
                reports.learner_report,
                ("big",),
                {"cohorts": {"run-0"}},
            ),
            (
                "one learner's progress",
                reports.learner_report,
                ("big",),
                {"username": "learner000042"},
            ),
        ]
        for label, fn, fargs, kwargs in cases:
            best, worst, result = timed(db, args.repeat, fn, *fargs, **kwargs)
            size = len(result["cohorts"]) if isinstance(result, dict) else len(result)
            verdict = "" if best < 5 else "  OVER the 5 s target"
            print(f"{label:32s} best {best:6.2f} s  worst {worst:6.2f} s  ({size} rows){verdict}")
            figures[label] = {"best_s": round(best, 3), "worst_s": round(worst, 3), "rows": size}
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
