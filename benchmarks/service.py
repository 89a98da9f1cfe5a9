"""Service benchmarks (issue: course service): seat race, API latency, release + 1,000 fetches.

Usage: .venv/bin/python benchmarks/service.py [--enrolments 100000] [--requests 5000] [--fetches 1000]

Everything runs on this machine on loopback, against a real JupyterHub with the nbcampus service,
once with SQLite and once with PostgreSQL (127.0.0.1:5432, database `test`, a throw-away
schema). Every loop is bounded. Prints figures and a final JSON line.

1. Seat race: 200 hub users send 200 simultaneous enrol requests for a 25-seat SPOC.
2. "My courses, deadlines and progress" (GET me/enrolments) with --enrolments enrolments spread
   over 10 cohorts, 50 concurrent clients, --requests requests: p50/p99 (target p99 < 100 ms).
3. Release + --fetches fetches of one assignment through the service, against nbgrader's
   default shared-folder exchange doing the same in-process in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert, select

from nbcampus.school.catalog.models import Cohort
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.testing import running_campus, write_course


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def make_tokens(school, prefix: str, count: int) -> list[str]:
    admin = school.tokens["admin"]
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda i: school.user_token(f"{prefix}{i:06d}", admin), range(count)))


def seat_race(school) -> dict:
    tokens = make_tokens(school, "racer", 200)
    barrier = threading.Barrier(200)
    latencies: list[float] = []

    def enrol(token: str) -> int:
        barrier.wait()
        started = time.perf_counter()
        r = school.api(token, "POST", "courses/spoc/enrolments", json={"code": "LET-ME-IN"})
        latencies.append(time.perf_counter() - started)
        return r.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(200) as pool:
        codes = list(pool.map(enrol, tokens))
    wall = time.perf_counter() - started
    return {
        "enrolled": codes.count(201),
        "refused": codes.count(409),
        "5xx": sum(c >= 500 for c in codes),
        "wall_s": round(wall, 2),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def load_enrolments(db_url: str, course_id: str, count: int) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        cohorts = [
            row[0] for row in conn.execute(select(Cohort.id).where(Cohort.course_id == course_id))
        ]
        now = datetime.now(UTC)
        batch = []
        for i in range(count):
            batch.append(
                {
                    "course_id": course_id,
                    "username": f"big{i:06d}",
                    "cohort_id": cohorts[i % len(cohorts)],
                    "status": "enrolled",
                    "track": "audit",
                    "personal_start": now,
                    "enrolled_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Enrolment), batch)
                batch = []
        if batch:
            conn.execute(insert(Enrolment), batch)
    engine.dispose()


def api_latency(school, enrolments: int, total: int) -> dict:
    load_enrolments(school.db_url, "big-course", enrolments)
    tokens = make_tokens(school, "big", 200)  # the first 200 of the enrolled learners
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // 50
    url = f"{school.url}services/nbcampus/api/me/enrolments"

    def client(index: int) -> None:
        nonlocal errors
        session = requests.Session()
        for n in range(per_client):
            token = tokens[(index * per_client + n) % len(tokens)]
            started = time.perf_counter()
            r = session.get(url, headers={"Authorization": f"token {token}"}, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += r.status_code != 200 or not r.json()["enrolments"]

    for token in tokens:  # warm the service's token cache, as a running school has
        requests.get(url, headers={"Authorization": f"token {token}"}, timeout=60)
    started = time.perf_counter()
    with ThreadPoolExecutor(50) as pool:
        list(pool.map(client, range(50)))
    wall = time.perf_counter() - started
    return {
        "enrolments": enrolments,
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def exchange_fetches(school, fetches: int) -> dict:
    learners = make_tokens(school, "fetcher", 50)
    for token in learners:
        school.api(token, "POST", "courses/open-mooc/enrolments", json={})
    url = f"{school.url}services/nbcampus/api/exchange/courses/open-mooc/assignments/ex1/release"
    started = time.perf_counter()
    r = school.api(
        school.tokens["teacher"], "GET", "exchange/courses/open-mooc/assignments/ex1/release"
    )
    release = r.content
    r = requests.post(
        url,
        data=release,
        headers={"Authorization": f"token {school.tokens['teacher']}"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    release_s = time.perf_counter() - started

    def fetch(i: int) -> int:
        return len(
            requests.get(
                url, headers={"Authorization": f"token {learners[i % 50]}"}, timeout=60
            ).content
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(10) as pool:
        sizes = list(pool.map(fetch, range(fetches)))
    fetch_s = time.perf_counter() - started
    assert all(size == len(release) for size in sizes)
    return {
        "release_s": round(release_s, 3),
        "fetch_total_s": round(fetch_s, 2),
        "per_fetch_ms": round(fetch_s / fetches * 1000, 2),
    }, release


def nbgrader_default(release_zip: bytes, fetches: int) -> dict:
    """nbgrader's own exchange, in-process (no interpreter start), on the same files."""
    import io
    import zipfile

    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeReleaseAssignment
    from traitlets.config import Config

    tmp = Path(tempfile.mkdtemp(prefix="nbcampus-bench-nbgrader-"))
    try:
        course = tmp / "course"
        zipfile.ZipFile(io.BytesIO(release_zip)).extractall(course / "release" / "ex1")
        (tmp / "exchange").mkdir()
        (tmp / "exchange").chmod(0o777)
        config = Config()
        config.Exchange.root = str(tmp / "exchange")
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.course_id = "open-mooc"
        config.CourseDirectory.assignment_id = "ex1"
        started = time.perf_counter()
        coursedir = CourseDirectory(config=config)
        ExchangeReleaseAssignment(
            coursedir=coursedir, authenticator=Authenticator(config=config), config=config
        ).start()
        release_s = time.perf_counter() - started
        started = time.perf_counter()
        for i in range(fetches):
            student = tmp / "students" / f"s{i:04d}"
            student.mkdir(parents=True)
            fetch_config = Config(config)
            fetch_config.Exchange.assignment_dir = str(student)
            fetch = ExchangeFetchAssignment(
                coursedir=CourseDirectory(config=fetch_config),
                authenticator=Authenticator(config=fetch_config),
                config=fetch_config,
            )
            fetch.start()
        fetch_s = time.perf_counter() - started
        assert (tmp / "students" / "s0000" / "ex1" / "ex1.ipynb").is_file()
        # one learner fetching from the command line pays the interpreter and imports
        student = tmp / "students" / "cli"
        student.mkdir()
        started = time.perf_counter()
        import subprocess

        subprocess.run(
            [
                sys.executable,
                "-m",
                "nbgrader",
                "fetch_assignment",
                "ex1",
                "--course=open-mooc",
                f"--Exchange.root={tmp / 'exchange'}",
            ],
            cwd=student,
            check=True,
            capture_output=True,
        )
        cli_s = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "release_s": round(release_s, 3),
        "fetch_total_s": round(fetch_s, 2),
        "per_fetch_ms": round(fetch_s / fetches * 1000, 2),
        "one_cli_fetch_s": round(cli_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--fetches", type=int, default=1_000)
    args = parser.parse_args()
    results: dict = {}
    for kind in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory(prefix=f"nbcampus-bench-{kind}-") as tmp:
            state = Path(tmp)
            start = date.today() - timedelta(days=3)
            runs = [
                {
                    "id": f"run-{i:02d}",
                    "start": str(start + timedelta(days=i)),
                    "end": str(start + timedelta(days=90 + i)),
                }
                for i in range(10)
            ]
            write_course(state / "courses", "big-course", pacing={"mode": "cohort", "runs": runs})
            with running_campus(state, kind, name=f"bench-{kind}") as school:
                print(f"[{kind}] seat race: 200 concurrent enrol requests for 25 seats", flush=True)
                race = seat_race(school)
                print(f"  {race}", flush=True)
                print(
                    f"[{kind}] GET me/enrolments: {args.enrolments} enrolments in 10 cohorts, 50 clients",
                    flush=True,
                )
                latency = api_latency(school, args.enrolments, args.requests)
                print(f"  {latency}  (target p99 < 100 ms)", flush=True)
                results[kind] = {"seat_race": race, "my_enrolments": latency}
                if kind == "sqlite":
                    print(
                        f"[{kind}] release + {args.fetches} fetches through the service", flush=True
                    )
                    ours, release = exchange_fetches(school, args.fetches)
                    print(f"  nbcampus: {ours}", flush=True)
                    stock = nbgrader_default(release, args.fetches)
                    print(f"  nbgrader default exchange (in-process): {stock}", flush=True)
                    ratio = round(ours["per_fetch_ms"] / stock["per_fetch_ms"], 2)
                    print(f"  per-fetch ratio nbcampus / nbgrader default: {ratio}", flush=True)
                    results["exchange"] = {
                        "nbcampus": ours,
                        "nbgrader_default": stock,
                        "per_fetch_ratio": ratio,
                    }
    failed = [
        k
        for k in ("sqlite", "postgresql")
        if results[k]["seat_race"]["enrolled"] != 25 or results[k]["seat_race"]["5xx"]
    ]
    print(json.dumps(results))
    if failed:
        print(f"seat cap broken on {failed}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
