"""Peer-review benchmark (issue 16): one course with 10,000 submissions of a peer-reviewed
exercise; 50 reviewers at once ask for work (allocation) and review it; p50/p99 per call on
SQLite and PostgreSQL (target: allocation p99 < 100 ms on PostgreSQL).

Usage: .venv/bin/python benchmarks/peer_review.py [--submissions 10000] [--reviewers 50]
       [--calls 10] [--think-ms 0] [--db sqlite|postgresql|both]

Each database is fresh (a temporary SQLite file; a new schema in the ``test`` database at
127.0.0.1:5432, dropped at the end) and migrated with alembic. The course is published, the
learners enrolled, their submissions and grades bulk inserted as rows, and the review pool
filled once (the first allocation's sync, timed apart as ``pool_sync_ms``; on PostgreSQL
after an ``ANALYZE``, as autovacuum does after a bulk load). Then
``--reviewers`` threads each make ``--calls`` rounds of "ask for work, review it" through the
school's own functions, on the same simulated clock (the HTTP layer adds the same constant to
every call). ``--think-ms`` is how long a reviewer reads and writes between calls (each
reviewer's own steady jitter of +/-50%); at 0 every reviewer asks again at once, so the
figures are queueing behind 49 others. The notebook is not read (no exchange files): the figures are the database's.
Every loop is bounded. Prints one JSON line per database, with ``double_given``: reservations
given twice (must be 0).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from nbcampus.course.loader import load_course
from nbcampus.school.core.db import Database, upgrade
from nbcampus.school.core.models import utcnow
from nbcampus.school.core.scopes import LEARN, Permissions
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.exchange.models import Submission
from nbcampus.school.grading.models import Grade
from nbcampus.school.peer_review import allocation as pool
from nbcampus.school.peer_review import api as peer
from nbcampus.school.peer_review.members import learner
from nbcampus.school.peer_review.rubric import peer_settings
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import PG_URL, write_peer_course

COURSE = "crowd"
BLOCK = {
    "rubric": [
        {
            "id": "clarity",
            "title": "Clarity",
            "levels": [{"points": 0, "description": "no"}, {"points": 2, "description": "yes"}],
        }
    ],
    "reviews_required": 2,
    "reviews_wanted": 2,
}
BODY = {"levels": {"clarity": 1}, "comment": "Clear, with *one* gap."}


def load(db: Database, folder: Path, args) -> list[str]:
    with db.session() as s:
        publish_course(s, load_course(folder))
    learners = [f"learner{i}" for i in range(args.submissions)]
    now = utcnow() - timedelta(days=1)
    with db.session() as s:
        cohort_id = s.execute(
            text("SELECT id FROM cohorts WHERE course_id = :c AND name = 'spring'"), {"c": COURSE}
        ).scalar()
        s.execute(
            insert(Enrolment),
            [
                {
                    "course_id": COURSE,
                    "username": u,
                    "cohort_id": cohort_id,
                    "status": "enrolled",
                    "track": "audit",
                }
                for u in learners
            ],
        )
        subs, grades = [], []
        for i, u in enumerate(learners):
            sid = uuid.uuid4().hex
            at = now + timedelta(seconds=i)
            subs.append(
                {
                    "id": sid,
                    "course_id": COURSE,
                    "assignment_id": "ex1",
                    "username": u,
                    "attempt": 1,
                    "received_at": at,
                    "late_stage": "on-time",
                    "credit_percent": 100.0,
                    "storage": "x",
                    "files": {},
                    "size": 0,
                }
            )
            grades.append(
                {
                    "submission_id": sid,
                    "course_id": COURSE,
                    "assignment_id": "ex1",
                    "username": u,
                    "state": "graded",
                    "auto_score": 2.0,
                    "manual_score": 0.0,
                    "raw_score": 2.0,
                    "max_score": 6.0,
                    "score": 2.0,
                    "graded_by": "grader",
                    "graded_at": at,
                    "credit_percent": 100.0,
                    "cells": [
                        {
                            "notebook": "ex1",
                            "grade_id": "essay",
                            "max_points": 4.0,
                            "points": None,
                            "kind": "manual",
                            "status": "manual",
                        }
                    ],
                }
            )
        for start in range(0, len(subs), 5_000):
            s.execute(insert(Submission), subs[start : start + 5_000])
            s.execute(insert(Grade), grades[start : start + 5_000])
    return learners


def run(kind: str, args) -> dict:
    tmp = Path(tempfile.mkdtemp())
    schema = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite'}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        db = Database(url)
        folder = write_peer_course(tmp / "courses", COURSE, BLOCK)
        started = time.perf_counter()
        learners = load(db, folder, args)
        loaded = time.perf_counter() - started
        if kind == "postgresql":  # as autovacuum would after a bulk load: plans from statistics
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        began = time.perf_counter()
        with db.session() as s:
            pool.sync_pool(s, COURSE, "ex1")
        sync_ms = (time.perf_counter() - began) * 1000
        if kind == "postgresql":  # the pool is a bulk load too
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        now = utcnow()
        asks, reviews = [], []

        def reviewer(n: int) -> None:
            who = Permissions(learners[n * (len(learners) // args.reviewers)], [LEARN])
            jitter = random.Random(n)
            for _ in range(args.calls):
                time.sleep(args.think_ms / 1000 * jitter.uniform(0.5, 1.5))
                began = time.perf_counter()
                with db.session() as s:
                    course, enrolment = learner(s, who, COURSE)
                    held, _ = pool.allocate(s, enrolment, peer_settings(course.data, "ex1"), now)
                    allocation_id = held.id
                asks.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                with db.session() as s:
                    peer.give_review(s, who, allocation_id, BODY, now)
                reviews.append((time.perf_counter() - began) * 1000)

        with ThreadPoolExecutor(args.reviewers) as executor:
            for job in [executor.submit(reviewer, n) for n in range(args.reviewers)]:
                job.result()
        with db.session(readonly=True) as s:
            pairs = s.execute(
                select(func.count(), func.count(func.distinct(peer.PeerAllocation.id)))
            ).one()
            loads = s.scalar(select(func.sum(peer.PeerSubmission.load)))
        db.dispose()

        def pct(values: list[float], q: int) -> float:
            return round(statistics.quantiles(values, n=100)[q - 1], 1) if len(values) > 1 else 0.0

        return {
            "db": kind,
            "submissions": args.submissions,
            "reviewers": args.reviewers,
            "think_ms": args.think_ms,
            "calls": len(asks),
            "load_s": round(loaded, 1),
            "pool_sync_ms": round(sync_ms, 1),
            "allocate_p50_ms": pct(asks, 50),
            "allocate_p99_ms": pct(asks, 99),
            "review_p50_ms": pct(reviews, 50),
            "review_p99_ms": pct(reviews, 99),
            "double_given": int(pairs[0] - pairs[1]) + abs(int(loads or 0) - len(asks)),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        print(json.dumps(run(kind, args)), flush=True)


if __name__ == "__main__":
    main()
