"""nbgrader's own CLI and its Assignments panel, unchanged, over the nbcampus HTTP exchange."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import nbformat
import pytest

from nbcampus.testing import ROOT

pytestmark = pytest.mark.hub

COURSE, ASSIGNMENT = "python-data", "week1-exercises"


def nbgrader(school, token: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command with the environment a learner's server gives it."""
    env = dict(
        os.environ,
        JUPYTERHUB_API_TOKEN=token,
        NBCAMPUS_API_URL=f"{school.url}services/nbcampus/api/",
        JUPYTER_CONFIG_PATH=os.pathsep.join(
            [
                str(ROOT / "hub_config" / "singleuser" / "learner"),
                str(ROOT / "hub_config" / "singleuser"),
            ]
        ),
    )
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def answer(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "bmi":
            cell.source = (
                "def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m ** 2, 1)"
            )
    nbformat.write(nb, path)


def test_nbgrader_cli_fetch_submit_list(school, tmp_path):
    token = school.token("learner1")
    home = tmp_path / "home"
    home.mkdir()
    listed = nbgrader(school, token, home, "list", f"--course={COURSE}")
    assert listed.returncode == 0, listed.stderr
    assert f"{COURSE} {ASSIGNMENT} (released)" in listed.stderr

    fetched = nbgrader(school, token, home, "fetch_assignment", ASSIGNMENT, f"--course={COURSE}")
    assert fetched.returncode == 0, fetched.stderr
    notebook = home / COURSE / ASSIGNMENT / "exercises.ipynb"
    text = notebook.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "YOUR CODE HERE" in text
    again = nbgrader(school, token, home, "fetch_assignment", ASSIGNMENT, f"--course={COURSE}")
    assert again.returncode != 0 and "already have a copy" in again.stderr

    answer(notebook)
    (notebook.parent / "timestamp.txt").write_text(
        "1999-01-01 00:00:00.000000 UTC"
    )  # a forged clock
    submitted = nbgrader(school, token, home, "submit", ASSIGNMENT, f"--course={COURSE}")
    assert submitted.returncode == 0, submitted.stderr
    assert "attempt 1" in submitted.stderr and "1999" not in submitted.stderr

    mine = nbgrader(school, token, home, "list", f"--course={COURSE}", "--cached", "--json")
    assert mine.returncode == 0, mine.stderr
    [group] = [g for g in json.loads(mine.stdout) if g["assignment_id"] == ASSIGNMENT]
    assert group["student_id"] == "learner1" and len(group["submissions"]) == 1
    assert not group["submissions"][0]["timestamp"].startswith("1999")

    # a learner cannot collect: that is the graders' job
    collect = nbgrader(school, token, home, "collect", ASSIGNMENT, f"--course={COURSE}")
    assert collect.returncode != 0 and "may not grade" in collect.stderr


def test_instructor_collects_with_server_timestamps(school, tmp_path):
    learner = school.token("learner2")
    home = tmp_path / "learner"
    home.mkdir()
    assert (
        nbgrader(
            school, learner, home, "fetch_assignment", ASSIGNMENT, f"--course={COURSE}"
        ).returncode
        == 0
    )
    answer(home / COURSE / ASSIGNMENT / "exercises.ipynb")
    assert (
        nbgrader(school, learner, home, "submit", ASSIGNMENT, f"--course={COURSE}").returncode == 0
    )

    course_dir = tmp_path / "instructor"
    course_dir.mkdir()
    collected = nbgrader(
        school,
        school.token("instructor"),
        course_dir,
        "collect",
        ASSIGNMENT,
        f"--course={COURSE}",
        f"--CourseDirectory.root={course_dir}",
    )
    assert collected.returncode == 0, collected.stderr
    folder = course_dir / "submitted" / "learner2" / ASSIGNMENT
    assert (folder / "exercises.ipynb").is_file()
    stamp = (folder / "timestamp.txt").read_text()
    assert stamp.startswith("20") and "UTC" in stamp


def test_assignments_panel_server_side_in_a_real_learner_server(school):
    session = school.login("learner3")
    school.start_server(session, "learner3")
    base = f"{school.url}user/learner3"
    xsrf = session.cookies.get("_xsrf", path="/user/learner3/") or session.cookies.get("_xsrf")
    listing = session.get(f"{base}/assignments", params={"course_id": COURSE}).json()
    assert listing["success"], listing
    released = {a["assignment_id"]: a for a in listing["value"] if a["status"] == "released"}
    assert ASSIGNMENT in released
    r = session.post(
        f"{base}/assignments/fetch",
        data={"course_id": COURSE, "assignment_id": ASSIGNMENT},
        headers={"X-XSRFToken": xsrf},
    )
    assert r.status_code == 200 and r.json()["success"], r.text
    fetched = school.state_dir / "homes" / "learner3" / COURSE / ASSIGNMENT / "exercises.ipynb"
    assert fetched.is_file()
    r = session.post(
        f"{base}/assignments/submit",
        data={"course_id": COURSE, "assignment_id": ASSIGNMENT},
        headers={"X-XSRFToken": xsrf},
    )
    assert r.status_code == 200 and r.json()["success"], r.text
    listing = session.get(f"{base}/assignments", params={"course_id": COURSE}).json()["value"]
    statuses = {(a["assignment_id"], a["status"]) for a in listing}
    assert (ASSIGNMENT, "fetched") in statuses and (ASSIGNMENT, "submitted") in statuses


def test_feedback_round_trip_with_nbgrader(school, tmp_path):
    """collect -> autograde -> generate_feedback -> release_feedback -> the learner fetches it."""
    import shutil

    learner = school.token("learner3")
    home = tmp_path / "learner"
    home.mkdir()
    nbgrader(school, learner, home, "fetch_assignment", ASSIGNMENT, f"--course={COURSE}")
    answer(home / COURSE / ASSIGNMENT / "exercises.ipynb")
    assert (
        nbgrader(school, learner, home, "submit", ASSIGNMENT, f"--course={COURSE}").returncode == 0
    )

    course_dir = tmp_path / "instructor"
    shutil.copytree(
        ROOT / "courses" / COURSE / "source" / ASSIGNMENT, course_dir / "source" / ASSIGNMENT
    )
    teacher = school.token("instructor")
    root = f"--CourseDirectory.root={course_dir}"
    for step in (
        ["generate_assignment", ASSIGNMENT, "--force"],
        ["collect", ASSIGNMENT, f"--course={COURSE}"],
        ["autograde", ASSIGNMENT, "--student=learner3", "--create", "--force"],
        ["generate_feedback", ASSIGNMENT, "--student=learner3", "--force"],
        ["release_feedback", ASSIGNMENT, "--student=learner3", f"--course={COURSE}"],
    ):
        done = nbgrader(school, teacher, course_dir, *step, root)
        assert done.returncode == 0, (step, done.stderr[-2000:])
    assert "Released feedback for learner3" in done.stderr

    fetched = nbgrader(school, learner, home, "fetch_feedback", ASSIGNMENT, f"--course={COURSE}")
    assert fetched.returncode == 0, fetched.stderr
    # one folder per submission, named by its timestamp: earlier tests' attempts of learner3 have
    # the grader's feedback too (a MOOC releases it when graded); this submission is the newest
    pages = sorted(
        (home / COURSE / ASSIGNMENT / "feedback").glob("*/exercises.html"),
        key=lambda p: p.parent.name,
    )
    assert pages
    text = pages[-1].read_text()
    seen = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", text)))
    # the feedback for this very submission: the learner's answer, graded
    assert "height_m" in seen and "Score: 2.0 / 5.0" in seen, seen[-3000:]
    listing = json.loads(
        nbgrader(school, learner, home, "list", f"--course={COURSE}", "--cached", "--json").stdout
    )
    [group] = [g for g in listing if g["assignment_id"] == ASSIGNMENT]
    latest = group["submissions"][-1]
    assert latest["has_exchange_feedback"] and latest["has_local_feedback"]
