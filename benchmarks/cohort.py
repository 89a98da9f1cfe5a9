"""Load test of a full cohort on this machine: the demo school, N learners arriving at ~2 logins/s.

Usage: .venv/bin/python benchmarks/cohort.py [--learners 100] [--window 300] [--rate 2]

Loopback only, bounded, stops by itself (the hub, the service and every learner server it started).
1. Start the demo school (as `make demo` does) in a temporary state folder; sign N learners up
   through NativeAuthenticator's sign-up form (before the clock starts).
2. The cohort arrives, one learner every 1/rate s. Each learner, in its own thread: logs in
   through the login form, takes a hub API token, enrols in python-data through the service API,
   starts their server and waits for JupyterLab (spawn time), starts a kernel in it (as opening
   the assignment notebook does; --no-kernel skips it), fetches the week-1 assignment
   through the service's exchange API (list, then the release ZIP) and takes the week-1 quiz
   through the service API (questions, one attempt).
3. Once everyone has arrived, a deadline is set `window` s ahead: every learner submits the
   assignment at a random moment of that window (the last 5 minutes before a deadline by default).
4. Memory: PSS (/proc/<pid>/smaps_rollup) of each learner server's process tree (server and
   kernel), and of the hub
   with everything else it runs (proxy, service, grader).
5. After the deadline, wait for the grader to empty the queue, then check in the service database
   that every acknowledged submission is stored (row and files) and graded exactly once.
Prints spawn p50/p95, API p50/p99 per call, failures, memory, grading, then one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import func, select

from nbcampus.testing import School, start_hub, stop_hub

COURSE = "python-data"
ASSIGNMENT = "week1-exercises"
QUIZ = "week1-quiz"
PASSWORD_BYTES = 12


@dataclass
class Learner:
    name: str
    password: str
    token: str = ""
    pid: int | None = None
    spawn_s: float | None = None
    release: bytes = b""
    submission_id: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)


class Recorder:
    """Latencies per call kind and failures, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, list[str]] = defaultdict(list)

    def call(self, kind: str, fn, *args, ok=(200, 201), **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = fn(*args, **kwargs)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
        if response.status_code not in ok:
            raise RuntimeError(f"{kind}: {response.status_code} {response.text[:200]}")
        return response

    def fail(self, learner: Learner, step: str, error: BaseException) -> None:
        message = f"{type(error).__name__}: {error}"[:300]
        learner.failures.append((step, message))
        with self.lock:
            self.failures[step].append(f"{learner.name}: {message}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def pss_kib(pid: int) -> int:
    """PSS of one process (KiB), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_pss_mib(pid: int) -> float:
    return sum(pss_kib(p) for p in process_tree(pid)) / 1024


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sign_up(school: School, learner: Learner) -> None:
    session = requests.Session()
    session.get(f"{school.url}hub/signup", timeout=60).raise_for_status()
    r = session.post(
        f"{school.url}hub/signup",
        data={
            "username": learner.name,
            "signup_password": learner.password,
            "signup_password_confirmation": learner.password,
            "_xsrf": session.cookies.get("_xsrf"),
        },
        timeout=120,
    )
    r.raise_for_status()
    if "created" not in r.text.lower() and "success" not in r.text.lower():
        raise RuntimeError(f"sign-up of {learner.name} not confirmed")


def quiz_answers(quiz: dict) -> dict:
    """A plausible attempt: the first option shown, or a number or a word."""
    answers = {}
    for q in quiz["questions"]:
        if q["type"] == "single":
            answers[q["id"]] = q["options"][0]["index"]
        elif q["type"] == "multiple":
            answers[q["id"]] = [q["options"][0]["index"]]
        elif q["type"] == "numeric":
            answers[q["id"]] = 0
        else:
            answers[q["id"]] = "answer"
    return answers


def arrive(
    school: School, learner: Learner, rec: Recorder, spawn_timeout: float, kernel: bool
) -> None:
    """Log in, take a token, enrol, spawn (and start a kernel), fetch the assignment, take the
    quiz."""
    api = f"{school.url}services/nbcampus/api/"
    try:
        session = requests.Session()
        rec.call("hub login page", session.get, f"{school.url}hub/login", timeout=120)
        rec.call(
            "hub login",
            session.post,
            f"{school.url}hub/login",
            data={
                "username": learner.name,
                "password": learner.password,
                "_xsrf": session.cookies.get("_xsrf"),
            },
            allow_redirects=False,
            ok=(302,),
            timeout=120,
        )
        r = rec.call(
            "hub token",
            session.post,
            f"{school.url}hub/api/users/{learner.name}/tokens",
            json={"note": "cohort benchmark"},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
            timeout=120,
        )
        learner.token = r.json()["token"]
        headers = {"Authorization": f"token {learner.token}"}
        rec.call(
            "service enrol",
            requests.post,
            f"{api}courses/{COURSE}/enrolments",
            json={},
            headers=headers,
            timeout=120,
        )
    except Exception as e:
        rec.fail(learner, "login/enrol", e)
        return
    try:
        started = time.perf_counter()
        session.get(f"{school.url}hub/spawn/{learner.name}", timeout=spawn_timeout)
        deadline = time.monotonic() + spawn_timeout
        while True:
            r = session.get(f"{school.url}user/{learner.name}/lab", timeout=spawn_timeout)
            if r.status_code == 200 and r.url.endswith(f"/user/{learner.name}/lab"):
                learner.spawn_s = time.perf_counter() - started
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"JupyterLab not ready in {spawn_timeout:.0f} s")
            time.sleep(0.5)
        if kernel:  # opening the assignment notebook starts a kernel in the learner's server
            rec.call(
                "server kernel start",
                requests.post,
                f"{school.url}user/{learner.name}/api/kernels",
                json={"name": "python3"},
                headers=headers,
                ok=(201,),
                timeout=120,
            )
    except Exception as e:
        rec.fail(learner, "spawn", e)  # the exchange and quizzes still work without the server
    try:
        rec.call(
            "exchange list",
            requests.get,
            f"{api}exchange/assignments",
            params={"course": COURSE},
            headers=headers,
            timeout=120,
        )
        r = rec.call(
            "exchange fetch",
            requests.get,
            f"{api}exchange/courses/{COURSE}/assignments/{ASSIGNMENT}/release",
            headers=headers,
            timeout=120,
        )
        learner.release = r.content
    except Exception as e:
        rec.fail(learner, "fetch", e)
    try:
        quiz = rec.call(
            "quiz questions",
            requests.get,
            f"{api}courses/{COURSE}/quizzes/{QUIZ}",
            headers=headers,
            timeout=120,
        ).json()
        rec.call(
            "quiz attempt",
            requests.post,
            f"{api}courses/{COURSE}/quizzes/{QUIZ}/attempts",
            json={"answers": quiz_answers(quiz)},
            headers=headers,
            timeout=120,
        )
    except Exception as e:
        rec.fail(learner, "quiz", e)


def submit(school: School, learner: Learner, rec: Recorder, at: float) -> None:
    """Submit the fetched assignment at monotonic time ``at``."""
    time.sleep(max(0.0, at - time.monotonic()))
    if not learner.token or not learner.release:
        rec.fail(learner, "submit", RuntimeError("nothing to submit (an earlier step failed)"))
        return
    body = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(learner.release)) as release,
        zipfile.ZipFile(body, "w") as out,
    ):
        for member in release.infolist():
            out.writestr(member.filename, release.read(member))
    try:
        r = rec.call(
            "exchange submit",
            requests.post,
            f"{school.url}services/nbcampus/api/exchange/courses/{COURSE}/assignments/{ASSIGNMENT}/submissions",
            data=body.getvalue(),
            headers={
                "Authorization": f"token {learner.token}",
                "Content-Type": "application/zip",
            },
            timeout=300,
        )
        learner.submission_id = r.json()["id"]
    except Exception as e:
        rec.fail(learner, "submit", e)


def server_pids(school: School, admin_token: str, learners: list[Learner]) -> None:
    """Each learner server's pid, from the spawner state the hub keeps (admin:server_state)."""
    for learner in learners:
        r = requests.get(
            f"{school.url}hub/api/users/{learner.name}",
            headers={"Authorization": f"token {admin_token}"},
            timeout=60,
        )
        if r.ok:
            server = r.json().get("servers", {}).get("", {})
            learner.pid = (server.get("state") or {}).get("pid")


def check_database(db_url: str, state: Path, acknowledged: dict[str, str]) -> dict:
    """Every acknowledged submission stored (row and files) and graded exactly once."""
    from nbcampus.school.core.audit import AuditEvent
    from nbcampus.school.core.db import Database
    from nbcampus.school.exchange.models import Submission
    from nbcampus.school.grading.models import Grade, GradingJob

    db = Database(db_url)
    try:
        with db.session(readonly=True) as session:
            rows = {
                s.id: s
                for s in session.scalars(
                    select(Submission).where(
                        Submission.course_id == COURSE, Submission.assignment_id == ASSIGNMENT
                    )
                )
            }
            grades = defaultdict(int)
            for submission_id in session.scalars(
                select(Grade.submission_id).where(Grade.course_id == COURSE)
            ):
                grades[submission_id] += 1
            jobs = defaultdict(list)
            for job in session.scalars(select(GradingJob).where(GradingJob.course_id == COURSE)):
                jobs[job.submission_id].append(job)
            regrades = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "grade.regrade", AuditEvent.course_id == COURSE)
            )
    finally:
        db.dispose()
    exchange = state / "exchange"
    missing_rows = [s for s in acknowledged if s not in rows]
    missing_files = [
        s
        for s in acknowledged
        if s in rows and not all((exchange / rows[s].storage / n).is_file() for n in rows[s].files)
    ]
    not_graded_once = [s for s in acknowledged if grades.get(s, 0) != 1]
    job_states = defaultdict(int)
    retried = 0
    for s in acknowledged:
        for job in jobs.get(s, []):
            job_states[job.state] += 1
            retried += job.attempts > 1
    return {
        "acknowledged": len(acknowledged),
        "stored_rows": len(rows),
        "lost": len(missing_rows) + len(missing_files),
        "missing_rows": missing_rows[:5],
        "missing_files": missing_files[:5],
        "graded_exactly_once": len(acknowledged) - len(not_graded_once),
        "not_graded_once": not_graded_once[:5],
        "job_states": dict(job_states),
        "jobs_retried": retried,
        "regrades": regrades,
    }


def wait_for_grading(db_url: str, timeout: float) -> float:
    """Seconds until no grading job is queued or running (or ``timeout``)."""
    from nbcampus.school.core.db import Database
    from nbcampus.school.grading.models import GradingJob

    db = Database(db_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with db.session(readonly=True) as session:
                waiting = session.scalar(
                    select(func.count())
                    .select_from(GradingJob)
                    .where(GradingJob.state.in_(("queued", "running")))
                )
            if not waiting:
                break
            time.sleep(1)
    finally:
        db.dispose()
    return time.monotonic() - started


def run(args: argparse.Namespace, workdir: Path) -> dict:
    from nbcampus.apps.demo import prepare_demo
    from nbcampus.hub.settings import CampusSettings
    from nbcampus.school.core.db import default_db_url

    state = workdir / "state"
    settings = CampusSettings(state_dir=str(state))
    accounts = prepare_demo(settings)
    available_before = mem_available_mib()
    log = workdir / "hub.log"
    process, url = start_hub(state, log)
    school = School(url, state, {a["username"]: a["password"] for a in accounts}, log)
    rec = Recorder()
    learners = [
        Learner(f"cohort{i:04d}", secrets.token_urlsafe(PASSWORD_BYTES))
        for i in range(args.learners)
    ]
    try:
        print(f"hub up at {url}; signing {len(learners)} learners up", flush=True)
        for learner in learners:  # sequential: NativeAuthenticator hashes on the hub's loop
            try:
                sign_up(school, learner)
            except Exception as e:
                rec.fail(learner, "sign-up", e)
        admin_token = school.token("admin")
        idle_hub_mib = tree_pss_mib(process.pid)

        print(f"cohort arriving at {args.rate}/s", flush=True)
        started = time.monotonic()
        threads = []
        for i, learner in enumerate(learners):
            time.sleep(max(0.0, started + i / args.rate - time.monotonic()))
            thread = threading.Thread(
                target=arrive,
                args=(school, learner, rec, args.spawn_timeout, args.kernel),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(args.spawn_timeout + 600)
        arrived_s = time.monotonic() - started

        server_pids(school, admin_token, learners)
        per_server = [tree_pss_mib(learner.pid) for learner in learners if learner.pid]
        total_mib = tree_pss_mib(process.pid)
        learners_mib = sum(per_server)

        print(
            f"everyone in after {arrived_s:.0f} s; submissions over {args.window:.0f} s", flush=True
        )
        window_start = time.monotonic()
        deadline = window_start + args.window
        submitters = []
        for learner in learners:
            at = window_start + random.uniform(0, args.window)
            thread = threading.Thread(target=submit, args=(school, learner, rec, at), daemon=True)
            thread.start()
            submitters.append(thread)
        for thread in submitters:
            thread.join(max(1.0, deadline - time.monotonic()) + 300)
        submitted_by = time.monotonic() - window_start

        print("waiting for grading", flush=True)
        db_url = default_db_url(state)
        grading_s = wait_for_grading(db_url, args.grading_timeout)
        acknowledged = {lr.submission_id: lr.name for lr in learners if lr.submission_id}
        check = check_database(db_url, state, acknowledged)
    finally:
        stop_hub(process)

    spawns = [lr.spawn_s for lr in learners if lr.spawn_s is not None]
    api = {
        kind: {
            "n": len(v),
            "p50_ms": round(percentile(v, 50) * 1000),
            "p99_ms": round(percentile(v, 99) * 1000),
        }
        for kind, v in sorted(rec.latencies.items())
    }
    every_call = [x for v in rec.latencies.values() for x in v]
    service_calls = [x for k, v in rec.latencies.items() if not k.startswith("hub") for x in v]
    mean_server = statistics.mean(per_server) if per_server else float("nan")
    return {
        "learners": args.learners,
        "rate_per_s": args.rate,
        "window_s": args.window,
        "arrival_s": round(arrived_s, 1),
        "submissions_done_after_s": round(submitted_by, 1),
        "spawned": len(spawns),
        "spawn_p50_s": round(percentile(spawns, 50), 2),
        "spawn_p95_s": round(percentile(spawns, 95), 2),
        "spawn_max_s": round(max(spawns), 2) if spawns else None,
        "api_p99_ms": round(percentile(every_call, 99) * 1000),
        "service_api_p99_ms": round(percentile(service_calls, 99) * 1000),
        "api": api,
        "failures": {step: len(v) for step, v in rec.failures.items()},
        "failure_examples": {step: v[:3] for step, v in rec.failures.items()},
        "memory": {
            "learner_server_pss_mib_mean": round(mean_server, 1),
            "learner_server_pss_mib_max": round(max(per_server), 1) if per_server else None,
            "learner_servers_measured": len(per_server),
            "hub_proxy_service_pss_mib": round(total_mib - learners_mib, 1),
            "hub_proxy_service_idle_pss_mib": round(idle_hub_mib, 1),
            "mem_available_before_mib": round(available_before),
            "learners_that_fit_in_available": int(
                (available_before - (total_mib - learners_mib)) / mean_server
            )
            if per_server
            else None,
        },
        "grading_s_after_window": round(grading_s, 1),
        "submissions": check,
    }


def report(result: dict) -> None:
    m, s = result["memory"], result["submissions"]
    print(
        f"\ncohort of {result['learners']} at {result['rate_per_s']}/s, submit window {result['window_s']:.0f} s"
    )
    print(f"  spawned          : {result['spawned']}/{result['learners']}")
    print(
        f"  spawn            : p50 {result['spawn_p50_s']:.2f} s, p95 {result['spawn_p95_s']:.2f} s, max {result['spawn_max_s']} s"
    )
    print(
        f"  API p99          : {result['api_p99_ms']} ms (service only: {result['service_api_p99_ms']} ms)"
    )
    for kind, a in result["api"].items():
        print(f"    {kind:<20}: n={a['n']:<4} p50 {a['p50_ms']:>6} ms  p99 {a['p99_ms']:>6} ms")
    print(f"  failures         : {result['failures'] or 'none'}")
    for step, examples in result["failure_examples"].items():
        for example in examples:
            print(f"    {step}: {example}")
    print(
        f"  memory (PSS)     : learner server mean {m['learner_server_pss_mib_mean']} MiB, "
        f"max {m['learner_server_pss_mib_max']} MiB ({m['learner_servers_measured']} measured); "
        f"hub+proxy+service+grader {m['hub_proxy_service_pss_mib']} MiB"
    )
    print(
        f"  fits in memory   : ~{m['learners_that_fit_in_available']} learner servers in the "
        f"{m['mem_available_before_mib']} MiB available at start"
    )
    print(
        f"  submissions      : {s['acknowledged']} acknowledged, {s['lost']} lost, "
        f"{s['graded_exactly_once']} graded exactly once, jobs {s['job_states']}, "
        f"retried {s['jobs_retried']}, regrades {s['regrades']}"
    )
    print(f"  grading          : queue empty {result['grading_s_after_window']} s after the window")
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="cohort size (default 100)")
    parser.add_argument(
        "--window", type=float, default=300, help="submission window before the deadline, s (300)"
    )
    parser.add_argument("--rate", type=float, default=2.0, help="logins per second (2)")
    parser.add_argument(
        "--spawn-timeout", type=float, default=300, help="give up on one spawn after this (300 s)"
    )
    parser.add_argument(
        "--grading-timeout", type=float, default=1800, help="wait for grading at most (1800 s)"
    )
    parser.add_argument(
        "--no-kernel",
        dest="kernel",
        action="store_false",
        help="do not start a kernel in each learner's server (memory of an idle server only)",
    )
    args = parser.parse_args()
    if args.learners < 1 or args.rate <= 0 or args.window < 0:
        parser.error("--learners >= 1, --rate > 0, --window >= 0")
    workdir = Path(tempfile.mkdtemp(prefix="nbcampus-bench-cohort-"))
    try:
        result = run(args, workdir)
    except Exception:
        traceback.print_exc()
        print(f"kept for a look: {workdir} (hub.log)", file=sys.stderr)
        sys.exit(1)
    if not os.environ.get("NBCAMPUS_KEEP_BENCH"):
        shutil.rmtree(workdir, ignore_errors=True)
    report(result)
    if result["submissions"]["lost"] or result["submissions"]["not_graded_once"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
