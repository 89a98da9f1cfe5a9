"""Discussion benchmark (issue 13): one course with 100,000 posts in 5,000 threads; readers
list a module's threads and open one while others post; p50/p99 per call on SQLite and
PostgreSQL (target p99 < 100 ms), and the report's discussion measures on that data (< 2 s).

Usage: .venv/bin/python benchmarks/discussion.py [--posts 100000] [--threads 5000]
       [--learners 2000] [--readers 50] [--writers 5] [--calls 20] [--think-ms 0]
       [--db sqlite|postgresql|both]

Each database is fresh (a temporary SQLite file; a new schema in the ``test`` database at
127.0.0.1:5432, dropped at the end) and migrated with alembic. The course is published, the
learners enrolled, and the threads and posts bulk inserted as rows (spread over the modules,
a third of them questions, replies and comments by random learners). Then ``--readers``
threads each make ``--calls`` (list a module's threads, open one of them) and ``--writers``
threads each post ``--calls`` replies, all at once, through the school's own functions (the
HTTP layer adds the same constant to every call). Every loop is bounded. Prints one JSON line
per database.

``--think-ms N`` (default 0): each reader pauses N ms after each call, as people do between
opening a list and a thread; 0 is the worst case (every reader always has a call in flight).
The JSON line says which was run (``think_ms``). In one process the school's functions share
one interpreter lock: with zero think time a call waits for the Python work of every call in
flight, so p99 there is about (readers + writers) x the CPU of one call.
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

from sqlalchemy import create_engine, insert, text

from nbcampus.course.loader import load_course
from nbcampus.school.core.db import Database, upgrade
from nbcampus.school.core.models import utcnow
from nbcampus.school.core.scopes import LEARN, Permissions
from nbcampus.school.discussion import api as discussion
from nbcampus.school.discussion.models import Post, Thread
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.progress import api as reports
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import PG_URL, write_course

COURSE = "busy"


def load(db: Database, folder: Path, args) -> list[str]:
    rng = random.Random(13)
    with db.session() as s:
        publish_course(s, load_course(folder))
    learners = [f"learner{i}" for i in range(args.learners)]
    with db.session() as s:
        cohort_id = s.execute(
            text("SELECT id FROM cohorts WHERE course_id = :c"), {"c": COURSE}
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
    now = utcnow() - timedelta(days=30)
    modules = ["week1", "week2", None]
    per_thread = max(args.posts // args.threads, 1)
    with db.session() as s:
        s.execute(
            insert(Thread),
            [
                {
                    "id": t + 1,
                    "course_id": COURSE,
                    "cohort_id": cohort_id,
                    "module_id": modules[t % 3],
                    "kind": "question" if t % 3 == 0 else "discussion",
                    "private": False,
                    "title": f"thread {t} about loops",
                    "author": rng.choice(learners),
                    "created_at": now,
                    "last_activity_at": now + timedelta(seconds=t),
                    "pinned": False,
                    # what the school keeps on a thread's row of its posts (none hidden)
                    "reply_count": per_thread - 1,
                    "visible_reply_count": per_thread - 1,
                    "last_post_id": (t + 1) * per_thread,
                }
                for t in range(args.threads)
            ],
        )
        rows = []
        for t in range(args.threads):
            for p in range(per_thread):
                depth = 0 if p == 0 else (1 if p % 4 else 2)
                post_id = t * per_thread + p + 1
                rows.append(
                    {
                        "id": post_id,
                        "thread_id": t + 1,
                        "course_id": COURSE,
                        "parent_id": post_id - 1 if depth == 2 else None,
                        "depth": depth,
                        "author": rng.choice(learners),
                        "body": f"post {p} of {t}",
                        "html": f"<p>post {p} of {t}</p>",
                        "created_at": now + timedelta(seconds=post_id),
                        "votes": 0,
                    }
                )
        for start in range(0, len(rows), 10_000):
            s.execute(insert(Post), rows[start : start + 10_000])
    if db.engine.dialect.name == "postgresql":  # the ids were given: move the sequences on
        with db.session() as s:
            for table in ("discussion_threads", "discussion_posts"):
                s.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
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
        folder = write_course(tmp / "courses", COURSE)
        started = time.perf_counter()
        learners = load(db, folder, args)
        loaded = time.perf_counter() - started
        rng = random.Random(5)
        lists, opens, posts = [], [], []

        def reader(n: int) -> None:
            who = Permissions(learners[n % len(learners)], [LEARN])
            for _ in range(args.calls):
                began = time.perf_counter()
                with db.session(readonly=True) as s:
                    page = discussion.list_threads(s, who, COURSE, module="week1", limit=20)
                lists.append((time.perf_counter() - began) * 1000)
                time.sleep(args.think_ms / 1000)
                thread = rng.choice(page["threads"])["id"]
                began = time.perf_counter()
                with db.session(readonly=True) as s:
                    discussion.open_thread(s, who, thread)
                opens.append((time.perf_counter() - began) * 1000)
                time.sleep(args.think_ms / 1000)

        def writer(n: int) -> None:
            who = Permissions(learners[-1 - n], [LEARN])
            limit = discussion.RateLimit(posts=10**6, seconds=1)
            for i in range(args.calls):
                thread = rng.randint(1, args.threads)
                began = time.perf_counter()
                with db.session() as s:
                    discussion.reply(s, who, thread, f"reply {i}", limit=limit)
                posts.append((time.perf_counter() - began) * 1000)

        with ThreadPoolExecutor(args.readers + args.writers) as pool:
            jobs = [pool.submit(reader, n) for n in range(args.readers)]
            jobs += [pool.submit(writer, n) for n in range(args.writers)]
            for job in jobs:
                job.result()
        began = time.perf_counter()
        with db.session(readonly=True) as s:
            reports.cohort_report(s, COURSE)
            reports.learner_report(s, COURSE)
        report_ms = (time.perf_counter() - began) * 1000
        db.dispose()

        def pct(values: list[float], q: int) -> float:
            return round(statistics.quantiles(values, n=100)[q - 1], 1) if len(values) > 1 else 0.0

        result = {
            "db": kind,
            "posts": args.posts,
            "threads": args.threads,
            "load_s": round(loaded, 1),
            "readers": args.readers,
            "writers": args.writers,
            "think_ms": args.think_ms,
            "report_ms": round(report_ms, 1),
        }
        for name, values in (("list", lists), ("open", opens), ("post", posts)):
            result[f"{name}_p50_ms"], result[f"{name}_p99_ms"] = pct(values, 50), pct(values, 99)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=5_000)
    parser.add_argument("--learners", type=int, default=2_000)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument(
        "--think-ms", type=int, default=0, help="readers pause this long after each call"
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        print(json.dumps(run(kind, args)), flush=True)


if __name__ == "__main__":
    main()
