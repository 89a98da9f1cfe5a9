"""Several service replicas on one PostgreSQL (the Kubernetes deployment runs 2+).

Two service processes (``python -m nbcampus.service``) with the environment the demo hub gives its
own service (its hub token and OAuth client, so real hub authentication), their own ports, one
fresh PostgreSQL schema and one shared state folder (the exchange volume):
- started at the same moment, both come up; the schema is migrated and the course published and
  released once;
- concurrent enrolments at both never exceed the course's seat cap; concurrent submissions of one
  learner at both get distinct attempt numbers; the two replicas' grading workers share the queue
  and every submission ends with exactly one grade;
- a learner pod's server (``nbcampus.singleuser``) fetches its own lessons through a replica.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select, text

from nbcampus.school.catalog.models import CourseRecord
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.db import Database
from nbcampus.school.enrolment.models import ENROLLED, Enrolment
from nbcampus.school.exchange.models import Release, Submission
from nbcampus.school.grading.models import Grade, GradingJob
from nbcampus.testing import OUTPUT_DIR, PG_URL, free_port, write_course

pytestmark = pytest.mark.hub

PREFIX = "/services/nbcampus/"


@contextmanager
def replica(env: dict[str, str], name: str):
    """A service process (``python -m nbcampus.service``) with ``env``; yields its base URL."""
    port = free_port()
    env = {**env, "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}"}
    OUTPUT_DIR.mkdir(exist_ok=True)
    log_path = OUTPUT_DIR / f"replica-{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "nbcampus.service"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}{PREFIX}", process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def wait_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"replica exited:\n{log_path.read_text()[-3000:]}"
        try:
            if requests.get(f"{url}api/openapi.json", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"replica not up in {timeout}s; see {log_path}")


def service_environment(state_dir: Path) -> dict[str, str]:
    """The environment the hub gave its nbcampus service (found by its state dir in /proc)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if b"nbcampus.service" not in cmdline:
                continue
            pairs = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        env = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        if env.get("NBCAMPUS_STATE_DIR") == str(state_dir):
            return env
    raise AssertionError(f"no nbcampus service process for {state_dir}")


def zip_of(archive: bytes, replace: dict[str, bytes]) -> bytes:
    """The fetched release, with some files replaced (the learner's work)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.infolist():
            dst.writestr(member.filename, replace.get(member.filename, src.read(member)))
    return out.getvalue()


@pytest.fixture(scope="module")
def replicas(school, tmp_path_factory):
    """Two service replicas started at the same moment on a fresh PostgreSQL schema, with the
    environment the demo hub gives its own service (so its hub token and OAuth client), one
    shared state folder (the exchange volume) and a course with 5 seats; each runs a grading
    worker with one process. Yields (school, [url of each replica], database URL)."""
    tmp = tmp_path_factory.mktemp("replicas")
    write_course(tmp / "courses", "capped", fmt="sooc", enrolment={"rule": "open", "seat_cap": 5})
    write_course(tmp / "courses", "open")
    config = tmp / "service_config.py"
    config.write_text(
        "c.CampusService.run_grader = True\n"
        "c.GradingWorker.workers = 1\n"
        "c.GradingWorker.poll_seconds = 0.2\n"
    )
    schema = f"nbc_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    env = {
        **service_environment(school.state_dir),
        "NBCAMPUS_STATE_DIR": str(tmp / "state"),
        "NBCAMPUS_COURSES_DIR": str(tmp / "courses"),
        "NBCAMPUS_DB_URL": db_url,
        "NBCAMPUS_SERVICE_CONFIG": str(config),
        "NBCAMPUS_SEED_ENROLMENTS": "",
    }
    try:
        with replica(env, "a") as a, replica(env, "b") as b:
            wait_up(*a)
            wait_up(*b)
            yield school, [a[0], b[0]], db_url, tmp / "state"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_replicas_starting_together_migrate_and_publish_once(replicas):
    _, _, db_url, state = replicas
    db = Database(db_url)
    try:
        with db.session(readonly=True) as session:
            assert sorted(session.scalars(select(CourseRecord.id))) == ["capped", "open"]
            publishes = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "course.publish")
            )
            assert publishes == 2
            releases = sorted(session.execute(select(Release.course_id, Release.assignment_id)))
            # released once each, not once per replica
            assert releases == [
                ("capped", "_lessons"),
                ("capped", "ex1"),
                ("open", "_lessons"),
                ("open", "ex1"),
            ]
    finally:
        db.dispose()
    # one OAuth cookie secret shared by both, written whole
    assert len((state / "nbcampus_cookie_secret").read_text().strip()) == 64


def at(url: str, token: str, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"token {token}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{url}api/{path}", headers=headers, timeout=60, **kwargs)


def test_seat_cap_attempts_and_grades_hold_across_replicas(replicas):
    school, (a, b), db_url, _ = replicas
    admin_token = school.token("admin")
    learners = [f"rep{i:02d}" for i in range(12)]
    tokens = {u: school.user_token(u, admin_token) for u in learners}
    course = "capped"  # seat cap 5, no waiting list

    # every learner asks both replicas at once: 24 concurrent enrolments for 5 seats
    def enrol(args):
        username, url = args
        r = at(url, tokens[username], "POST", f"courses/{course}/enrolments", json={})
        return username, r.status_code, r.text

    jobs = [(u, url) for u in learners for url in (a, b)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(enrol, jobs))
    assert all(code in (201, 409) for _, code, _ in answers), answers
    admitted = {u for u, code, _ in answers if code == 201}
    refused = [t for _, code, t in answers if code == 409]
    assert all("is full (5 seats)" in t for t in refused), refused
    db = Database(db_url)
    try:
        with db.session(readonly=True) as session:
            enrolled = set(
                session.scalars(
                    select(Enrolment.username).where(
                        Enrolment.course_id == course, Enrolment.status == ENROLLED
                    )
                )
            )
        assert enrolled == admitted and len(enrolled) == 5

        # three of them submit twice at once, once through each replica
        submitters = sorted(admitted)[:3]
        release = at(
            a, tokens[submitters[0]], "GET", f"exchange/courses/{course}/assignments/ex1/release"
        )
        assert release.status_code == 200, release.text

        def submit(args):
            username, url = args
            body = zip_of(release.content, {})
            r = at(
                url,
                tokens[username],
                "POST",
                f"exchange/courses/{course}/assignments/ex1/submissions",
                data=body,
                headers={"Content-Type": "application/zip"},
            )
            return username, r.status_code, r.json()

        sends = [(u, url) for u in submitters for url in (a, b)]
        with ThreadPoolExecutor(len(sends)) as pool:
            receipts = list(pool.map(submit, sends))
        assert all(code == 201 for _, code, _ in receipts), receipts
        for username in submitters:
            attempts = sorted(s["attempt"] for u, _, s in receipts if u == username)
            assert attempts == [1, 2], (username, attempts)
        submitted = {s["id"] for _, _, s in receipts}

        # both replicas' graders take jobs from the one queue until it is empty
        deadline = time.monotonic() + 90
        while True:
            with db.session(readonly=True) as session:
                waiting = session.scalar(
                    select(func.count())
                    .select_from(GradingJob)
                    .where(GradingJob.state.in_(("queued", "running")))
                )
            if not waiting:
                break
            assert time.monotonic() < deadline, (
                f"{waiting} job(s) still waiting; see {OUTPUT_DIR}/replica-*.log"
            )
            time.sleep(0.5)
        with db.session(readonly=True) as session:
            stored = set(
                session.scalars(select(Submission.id).where(Submission.course_id == course))
            )
            jobs = list(session.scalars(select(GradingJob).where(GradingJob.course_id == course)))
            grades = list(session.scalars(select(Grade).where(Grade.course_id == course)))
            regrades = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "grade.regrade", AuditEvent.course_id == course)
            )
        assert stored == submitted
        assert sorted(j.submission_id for j in jobs) == sorted(submitted)  # one job each
        assert {(j.state, j.attempts) for j in jobs} == {("graded", 1)}, [
            (j.submission_id, j.state, j.attempts, j.error) for j in jobs
        ]
        assert sorted(g.submission_id for g in grades) == sorted(submitted)
        assert regrades == 0  # no submission was graded by both workers
    finally:
        db.dispose()


def test_learner_server_fetches_its_own_lessons_on_kubernetes(replicas, tmp_path):
    # a learner pod: the hub cannot write into its volume, so nbcampus.singleuser fetches the
    # lessons with the server's own token before JupyterLab starts (NBCAMPUS_PROVISION_LESSONS)
    school, (_, url_b), _, _ = replicas
    token = school.user_token("podlearner", school.token("admin"))
    assert at(url_b, token, "POST", "courses/open/enrolments", json={}).status_code == 201
    home = tmp_path / "home"
    (home / "open" / "lessons").mkdir(parents=True)
    (home / "open" / "lessons" / "lesson1.ipynb").write_text("my edits")
    env = {
        **os.environ,
        "HOME": str(home),
        "NBCAMPUS_API_URL": f"{url_b}api/",
        "JUPYTERHUB_API_TOKEN": token,
    }
    code = "from nbcampus.singleuser import provision_lessons; provision_lessons()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (home / "open" / "quizzes" / "week1-quiz.ipynb").is_file()
    assert not (home / "capped").exists()  # only the courses the learner is enrolled in
    # a file the learner already has is never replaced
    assert (home / "open" / "lessons" / "lesson1.ipynb").read_text() == "my edits"
