"""Engagement benchmark (issue 14): the at-risk nudge pass over many enrolments, and points for
a whole cohort at once (what a leaderboard of that many opted-in learners costs).

Usage: .venv/bin/python benchmarks/nudges.py [--enrolments 20000] [--db sqlite|postgresql]

Builds a service database with one self-paced course (nudges: inactive for 7 days, a missed
deadline, a module not started 3 days after it opened; rewards with points) and --enrolments
learners who started 8 days ago: every learner has missed the exercise and the quiz (due after
7 days); half of them worked in the lesson yesterday (an activity event each), the other half
never came (inactive, module not started). The set-up writes rows in bulk and is not timed.
Then times:

1. the first nudge pass (every learner nudged once, one notification each);
2. a second pass at the same time (nothing new: each nudge is given once);
3. ``rewards.course_points`` for every learner at once.

Prints the figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.api import get_course
from nbcampus.school.core.db import Database, upgrade
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment.models import ENROLLED, Enrolment
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications.models import Notification
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.rewards import api as rewards
from nbcampus.testing import PG_URL, write_course

MAX_ENROLMENTS = 100_000  # bounded: the benchmark never grows past this
COURSE = "bench-nudges"
SETTINGS = {
    "nudges": {"inactive_days": 7, "missed_deadline": True, "module_not_started_days": 3},
    "rewards": {"points": {"lesson": 10, "exercise": 50, "quiz": 20}, "leaderboard": True},
}


def populate(db: Database, folder: Path, enrolments: int) -> None:
    with db.session() as session:
        publish_course(session, load_course(folder))
    now = utcnow()
    start = now - timedelta(days=8)
    names = [f"learner{i:06d}" for i in range(enrolments)]
    rows = [
        {
            "course_id": COURSE,
            "username": name,
            "cohort_id": None,
            "status": ENROLLED,
            "track": "audit",
            "personal_start": start,
            "enrolled_at": start,
            "updated_at": start,
        }
        for name in names
    ]
    activity = [
        {
            "username": name,
            "course_id": COURSE,
            "module_id": "week1",
            "kind": "active",
            "notebook": f"{COURSE}/lessons/lesson1.ipynb",
            "seconds": 120,
            "count": 0,
            "at": now - timedelta(days=1),
        }
        for name in names[::2]
    ]
    with db.session() as session:
        for table, batch in ((Enrolment, rows), (ActivityEvent, activity)):
            for chunk in range(0, len(batch), 5000):
                session.execute(insert(table), batch[chunk : chunk + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    enrolments = min(args.enrolments, MAX_ENROLMENTS)

    with tempfile.TemporaryDirectory(prefix="nbcampus-bench-nudges-") as tmp:
        schema = None
        if args.db == "sqlite":
            url = f"sqlite:///{tmp}/service.sqlite"
        else:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        try:
            upgrade(url)
            db = Database(url)
            folder = write_course(Path(tmp) / "courses", COURSE, due_offset_days=7, **SETTINGS)
            started = time.perf_counter()
            populate(db, folder, enrolments)
            print(
                f"set-up (not timed): {enrolments} enrolments in {time.perf_counter() - started:.1f} s"
            )

            now = utcnow()
            started = time.perf_counter()
            with db.session() as session:
                nudged = notifications.nudge(session, now)
            first_s = time.perf_counter() - started
            assert nudged == enrolments, (nudged, enrolments)
            print(
                f"nudge pass: {nudged} learners nudged in {first_s:.2f} s ({nudged / first_s:.0f}/s)"
            )

            started = time.perf_counter()
            with db.session() as session:
                again = notifications.nudge(session, now)
            second_s = time.perf_counter() - started
            assert again == 0, again
            print(f"second pass: nothing new in {second_s:.2f} s")

            started = time.perf_counter()
            with db.session() as session:
                course = get_course(session, COURSE)
                names = list(session.scalars(select(Enrolment.username)))
                points = rewards.course_points(session, course, names)
                told = session.scalar(select(func.count()).select_from(Notification))
            points_s = time.perf_counter() - started
            assert len(points) == enrolments and told == enrolments
            print(f"points: {len(points)} learners in {points_s:.2f} s")
            print(
                json.dumps(
                    {
                        "benchmark": "nudges",
                        "db": args.db,
                        "enrolments": enrolments,
                        "nudged": nudged,
                        "first_pass_seconds": round(first_s, 2),
                        "second_pass_seconds": round(second_s, 2),
                        "points_seconds": round(points_s, 2),
                    }
                )
            )
            db.dispose()
        finally:
            if schema:
                with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
