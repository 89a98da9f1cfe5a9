"""Grading through the real service behind a real hub: auto-grade on submission, feedback per the
course's policy, staff-only manual grading and release, the command line, a worker killed -9."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest
from sqlalchemy import create_engine, text

from nbcampus.testing import running_campus

pytestmark = pytest.mark.hub

EX1 = "exchange/courses/{course}/assignments/ex1"
GRADER_CONFIG = (
    "c.GradingWorker.workers = 2\n"
    "c.GradingWorker.poll_seconds = 0.2\n"
    "c.GradingWorker.cell_timeout = 10\n"
)


def call(campus, who, method, path, **kwargs):
    return campus.api(campus.tokens[who] if who else None, method, path, **kwargs)


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def learner_notebook(campus, who, course, code):
    r = call(campus, who, "GET", EX1.format(course=course) + "/release")
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        nb = nbformat.reads(archive.read("ex1.ipynb").decode(), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = code
    return nbformat.writes(nb)


def submit(campus, who, course, code):
    body = zipped({"ex1.ipynb": learner_notebook(campus, who, course, code)})
    r = call(
        campus,
        who,
        "POST",
        EX1.format(course=course) + "/submissions",
        data=body,
        headers={"Content-Type": "application/zip"},
    )
    assert r.status_code == 201, r.text
    return r.json()


def wait_for(predicate, timeout=120, what="grading"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen in {timeout} s")


def my_grade(campus, who, submission_id):
    grades = call(campus, who, "GET", "me/grades").json()["grades"]
    return next((g for g in grades if g["submission_id"] == submission_id), None)


@pytest.fixture(scope="module")
def graded_campus(tmp_path_factory):
    with running_campus(
        tmp_path_factory.mktemp("grading"), "sqlite", name="grading", service_config=GRADER_CONFIG
    ) as school:
        for who in ("ana", "bo"):
            call(school, who, "POST", "courses/open-mooc/enrolments", json={})
            call(school, who, "POST", "courses/spoc/enrolments", json={"code": "LET-ME-IN"})
        yield school


def test_a_mooc_submission_is_graded_and_its_feedback_released_at_once(graded_campus):
    campus = graded_campus
    sub = submit(campus, "ana", "open-mooc", "def double(x):\n    return 2 * x")
    assert sub["grading"]["state"] == "queued"
    grade = wait_for(
        lambda: (g := my_grade(campus, "ana", sub["id"])) and g["state"] == "graded" and g
    )
    assert grade["score"] == 2 and grade["max_score"] == 2 and grade["feedback_available"]
    r = call(campus, "ana", "GET", f"exchange/submissions/{sub['id']}/feedback")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        page = archive.read("ex1.html").decode()
    assert "double(-1)" not in page and "Hidden tests: passed" in page
    # another learner sees neither the grade nor the feedback
    assert my_grade(campus, "bo", sub["id"]) is None
    assert call(campus, "bo", "GET", f"exchange/submissions/{sub['id']}/feedback").status_code in (
        403,
        404,
    )


def test_spoc_feedback_waits_for_staff_release(graded_campus):
    campus = graded_campus
    sub = submit(campus, "bo", "spoc", "def double(x):\n    return x + 2")
    pending = wait_for(
        lambda: (g := my_grade(campus, "bo", sub["id"])) and g["state"] != "pending" and g
    )
    assert pending["state"] == "graded, feedback not released" and "score" not in pending
    path = "courses/spoc/assignments/ex1/feedback/release"
    assert call(campus, "bo", "POST", path, json={}).status_code == 403
    assert call(campus, "ta", "POST", path, json={}).status_code == 403  # TA of another course
    r = call(campus, "teacher", "POST", path, json={})
    assert r.status_code == 200 and r.json()["released"] == ["bo"]
    released = my_grade(campus, "bo", sub["id"])
    assert released["score"] == 0 and released["feedback_available"]


def test_only_the_courses_staff_grade_by_hand_and_it_is_audited(graded_campus):
    campus = graded_campus
    sub = submit(campus, "bo", "open-mooc", "def double(x):\n    return x + 2")
    wait_for(lambda: (g := my_grade(campus, "bo", sub["id"])) and g["state"] == "graded")
    path = f"courses/open-mooc/grades/{sub['id']}/cells"
    body = {"notebook": "ex1", "grade_id": "test_double", "points": 1, "reason": "partial credit"}
    assert call(campus, "bo", "POST", path, json=body).status_code == 403
    assert call(campus, "cy", "POST", path, json=body).status_code == 403
    assert call(campus, "ta", "POST", path, json={**body, "reason": ""}).status_code == 400
    r = call(campus, "ta", "POST", path, json=body)
    assert r.status_code == 200 and r.json()["score"] == 1
    audit = call(campus, "teacher", "GET", "courses/open-mooc/audit").json()
    events = audit if isinstance(audit, list) else audit.get("events", [])
    assert any(e["action"] == "grade.override" and e["actor"] == "ta" for e in events)
    assert my_grade(campus, "bo", sub["id"])["score"] == 1


def test_the_command_line_regrades_with_a_progress_bar_and_one_grade_each(graded_campus):
    campus = graded_campus
    env = dict(
        os.environ,
        NBCAMPUS_API_URL=f"{campus.url}services/nbcampus/api/",
        JUPYTERHUB_API_TOKEN=campus.tokens["teacher"],
    )
    r = subprocess.run(
        [sys.executable, "-m", "nbcampus", "grade", "open-mooc", "ex1", "--timeout=120"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    assert "queued for grading" in r.stdout and "grading:" in r.stderr  # tqdm's bar
    status = call(campus, "teacher", "GET", "courses/open-mooc/assignments/ex1/grading").json()
    ids = [g["submission_id"] for g in status["grades"]]
    assert len(ids) == len(set(ids)) >= 2
    assert (
        call(campus, "ana", "GET", "courses/open-mooc/assignments/ex1/grading").status_code == 403
    )


def test_a_worker_killed_mid_job_loses_nothing(tmp_path):
    """kill -9 a standalone grader mid-job: after its lease expires another grader takes the
    job, and the submission ends with exactly one grade."""
    config = "c.CampusService.run_grader = False\n"
    with running_campus(tmp_path, "sqlite", name="grader-kill", service_config=config) as campus:
        call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
        sub = submit(
            campus,
            "ana",
            "open-mooc",
            "import time\ntime.sleep(6)\ndef double(x):\n    return 2 * x",
        )
        engine = create_engine(campus.db_url)

        def job_state():
            with engine.connect() as conn:
                return conn.execute(
                    text("SELECT state, attempts FROM grading_jobs WHERE submission_id = :s"),
                    {"s": sub["id"]},
                ).one()

        grader = [
            sys.executable,
            "-m",
            "nbcampus",
            "grader",
            f"--db-url={campus.db_url}",
            f"--state-dir={campus.state_dir}",
            "--lease=4",
            "--workers=1",
        ]
        first = subprocess.Popen(
            grader, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for(lambda: job_state()[0] == "running", timeout=60, what="claim")
            time.sleep(1.5)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        assert tuple(job_state()) == ("running", 1)
        second = subprocess.run([*grader, "--drain"], capture_output=True, text=True, timeout=180)
        assert second.returncode == 0, second.stderr[-2000:]
        assert tuple(job_state()) == ("graded", 2)
        with engine.connect() as conn:
            grades = conn.execute(
                text("SELECT score FROM grades WHERE submission_id = :s"), {"s": sub["id"]}
            ).all()
        assert [g.score for g in grades] == [2.0]
        engine.dispose()


def test_staff_read_graded_notebooks_and_score_from_the_command_line(graded_campus):
    campus = graded_campus
    sub = submit(campus, "ana", "open-mooc", "def double(x):\n    return x + 2")
    wait_for(lambda: (g := my_grade(campus, "ana", sub["id"])) and g["state"] == "graded")
    path = f"courses/open-mooc/grades/{sub['id']}/graded"
    assert call(campus, "ana", "GET", path).status_code == 403
    r = call(campus, "ta", "GET", path)
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        assert "double(-1)" in archive.read("ex1.ipynb").decode()  # staff see the hidden test
    env = dict(
        os.environ,
        NBCAMPUS_API_URL=f"{campus.url}services/nbcampus/api/",
        JUPYTERHUB_API_TOKEN=campus.tokens["ta"],
    )

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "nbcampus", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    scored = cli(
        "score",
        "open-mooc",
        sub["id"],
        "ex1",
        "test_double",
        "1.5",
        "--reason=regrade request",
        "--comment=close",
    )
    assert scored.returncode == 0, scored.stderr
    assert "ana: 1.50 / 2.00" in scored.stdout
    listing = cli("grades", "open-mooc", "ex1", "--csv")
    assert listing.returncode == 0 and f"ana,{sub['id']},graded,1.5," in listing.stdout
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbcampus",
            "score",
            "open-mooc",
            sub["id"],
            "ex1",
            "test_double",
            "2",
            "--reason=mine",
        ],
        env={**env, "JUPYTERHUB_API_TOKEN": campus.tokens["ana"]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "403" in refused.stderr + refused.stdout
