"""The HTTP exchange behind a real hub: releases, submissions, feedback, and bad uploads."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import nbformat
import pytest

from .conftest import call

pytestmark = pytest.mark.hub

BASE = "exchange/courses/open-mooc/assignments/ex1"


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def answer_notebook(code: str = "def double(x):\n    return 2 * x") -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    return nbformat.writes(nb)


def submit(campus, who, files, assignment="open-mooc/assignments/ex1"):
    return call(
        campus,
        who,
        "POST",
        f"exchange/courses/{assignment}/submissions",
        data=zip_of(files),
        headers={"Content-Type": "application/zip"},
    )


def stored_submissions(campus) -> set[str]:
    root = campus.state_dir / "exchange" / "submissions"
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


@pytest.fixture
def enrolled(campus):
    for who in ("ana", "bo"):
        call(campus, who, "POST", "courses/open-mooc/enrolments", json={})
        call(campus, who, "POST", "courses/closed/enrolments", json={})
    return campus


def test_release_is_generated_by_nbgrader_without_solutions_or_hidden_tests(enrolled):
    r = call(enrolled, "ana", "GET", f"{BASE}/release")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    files = unzip(r.content)
    assert set(files) == {"ex1.ipynb"}
    text = files["ex1.ipynb"].decode()
    assert "return 2 * x" not in text and "BEGIN SOLUTION" not in text
    assert "double(-1)" not in text and "HIDDEN TESTS" not in text  # the hidden test is gone
    assert "assert double(2) == 4" in text  # the visible one stays
    listing = call(enrolled, "ana", "GET", "exchange/assignments").json()["assignments"]
    ex1 = [a for a in listing if a["course_id"] == "open-mooc" and a["assignment_id"] == "ex1"][0]
    assert (
        ex1["files"] == ["ex1.ipynb"] and datetime.fromisoformat(ex1["due_at"]).tzinfo is not None
    )


def test_the_exercise_says_which_attempt_counts_before_the_learner_submits(enrolled):
    """The course sets no ``counted_attempt``: the best graded attempt counts, and the
    released exercise says so to a learner who has submitted nothing yet."""
    listing = call(enrolled, "ana", "GET", "exchange/assignments?course=open-mooc").json()
    (ex1,) = [a for a in listing["assignments"] if a["assignment_id"] == "ex1"]
    assert ex1["counted_attempt"] == "best"


def test_the_instructors_release_button_releases_from_the_course_folder_on_the_service(enrolled):
    """The panel's Release button asks the service, which makes the release from the published
    course folder with nbgrader: nothing is needed in the instructor's home, and no answer
    names a path of the server."""
    path = "courses/open-mooc/assignments/ex1/release"
    r = call(enrolled, "teacher", "POST", path, json={})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["changed"] is False and body["files"] == ["ex1.ipynb"]  # the source is unchanged
    assert isinstance(body["release_id"], int)
    for who in ("ana", "ta"):
        assert call(enrolled, who, "POST", path, json={}).status_code == 403
    missing = call(enrolled, "teacher", "POST", "courses/open-mooc/assignments/nope/release")
    assert missing.status_code == 404 and "nope" in missing.json()["message"]
    for answer in (r, missing):
        assert (
            str(enrolled.state_dir) not in answer.text and "generate_assignment" not in answer.text
        )


def test_not_enrolled_cannot_fetch(enrolled):
    r = call(enrolled, "cy", "GET", "exchange/courses/other/assignments/ex1/release")
    assert r.status_code == 403 and "not enrolled" in r.json()["message"]
    assert call(enrolled, "cy", "GET", "courses/other/lessons").status_code == 403


def test_lessons_reach_enrolled_learners(enrolled):
    r = call(enrolled, "ana", "GET", "courses/open-mooc/lessons")
    assert r.status_code == 200
    files = unzip(r.content)
    # the lessons, and the quiz as a notebook that loads its questions from the service
    assert set(files) == {"lessons/lesson1.ipynb", "quizzes/week1-quiz.ipynb"}
    quiz = files["quizzes/week1-quiz.ipynb"].decode()
    assert "Quiz('open-mooc', 'week1-quiz')" in quiz and '"answer"' not in quiz


def test_submissions_are_versioned_and_timestamped_by_the_server(enrolled):
    before = datetime.now(UTC)
    forged = "2000-01-01 00:00:00.000000 UTC"
    first = submit(enrolled, "ana", {"ex1.ipynb": answer_notebook(), "timestamp.txt": forged})
    assert first.status_code == 201, first.text
    second = submit(
        enrolled, "ana", {"ex1.ipynb": answer_notebook("def double(x):\n    return x + x")}
    )
    assert second.status_code == 201
    a, b = first.json(), second.json()
    assert (a["attempt"], b["attempt"]) == (1, 2) or b["attempt"] == a["attempt"] + 1
    received = datetime.fromisoformat(a["received_at"])
    assert before - timedelta(seconds=5) <= received <= datetime.now(UTC)
    assert a["files"] == ["ex1.ipynb"] and a["late"] == {
        "stage": "on-time",
        "credit_percent": 100.0,
    }
    # the first attempt is still there, unchanged; its timestamp.txt is the server's
    download = unzip(call(enrolled, "ana", "GET", f"exchange/submissions/{a['id']}").content)
    assert "return 2 * x" in download["ex1.ipynb"].decode()
    assert download["timestamp.txt"].decode().startswith(received.strftime("%Y-%m-%d %H:%M:%S"))
    assert forged not in download["timestamp.txt"].decode()


def test_other_learners_work_is_invisible(enrolled):
    mine = submit(enrolled, "ana", {"ex1.ipynb": answer_notebook()}).json()
    r = call(enrolled, "bo", "GET", f"exchange/submissions/{mine['id']}")
    assert r.status_code == 404
    assert (
        call(enrolled, "bo", "GET", f"exchange/submissions/{mine['id']}/feedback").status_code
        == 404
    )
    assert call(enrolled, "bo", "GET", f"{BASE}/submissions").status_code == 403
    assert (
        call(
            enrolled,
            "bo",
            "POST",
            f"exchange/submissions/{mine['id']}/feedback",
            data=zip_of({"ex1.html": "<p>x</p>"}),
        ).status_code
        == 404
    )


def test_grader_collects_and_returns_feedback(enrolled):
    sub = submit(enrolled, "bo", {"ex1.ipynb": answer_notebook()}).json()
    listing = call(enrolled, "ta", "GET", f"{BASE}/submissions?latest=1")
    assert listing.status_code == 200
    latest = {s["username"]: s for s in listing.json()["submissions"]}
    assert latest["bo"]["id"] == sub["id"]
    assert len([s for s in listing.json()["submissions"] if s["username"] == "bo"]) == 1
    assert call(enrolled, "ta", "GET", f"exchange/submissions/{sub['id']}").status_code == 200
    assert (
        call(enrolled, "bo", "GET", f"exchange/submissions/{sub['id']}/feedback").status_code == 404
    )
    r = call(
        enrolled,
        "ta",
        "POST",
        f"exchange/submissions/{sub['id']}/feedback",
        data=zip_of({"ex1.html": "<html>well done</html>"}),
    )
    assert r.status_code == 201
    feedback = unzip(
        call(enrolled, "bo", "GET", f"exchange/submissions/{sub['id']}/feedback").content
    )
    assert feedback == {"ex1.html": b"<html>well done</html>"}
    mine = call(enrolled, "bo", "GET", "exchange/assignments?course=open-mooc").json()[
        "assignments"
    ]
    assert [f["submission_id"] for f in mine[0]["feedback"]] == [sub["id"]]


def test_after_the_hard_close_nothing_is_accepted(enrolled):
    r = submit(
        enrolled, "ana", {"ex1.ipynb": answer_notebook()}, assignment="closed/assignments/ex1"
    )
    assert (
        r.status_code == 403
        and "closed at" in r.json()["message"]
        and "server time" in r.json()["message"]
    )


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ex1.ipynb", b"0" * (30 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body, status, message",
    [
        (zip_of({"ex1.ipynb": "{not json"}), 400, "not valid JSON"),
        (
            zip_of(
                {"ex1.ipynb": json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []})}
            ),
            400,
            "nbformat 3 is not accepted",
        ),
        (zip_of({"../evil.ipynb": answer_notebook()}), 400, "unsafe file name"),
        (zip_of({"/etc/evil": "x"}), 400, "unsafe file name"),
        (b"this is not a zip", 400, "not a ZIP"),
        (bomb(), 413, "zip bomb"),
        (b"0" * (21 * 1024 * 1024), 413, "limit is 20971520"),
    ],
    ids=["bad-json", "old-nbformat", "dotdot", "absolute", "not-zip", "zip-bomb", "oversized"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(enrolled, body, status, message):
    before = stored_submissions(enrolled)
    r = call(
        enrolled,
        "ana",
        "POST",
        f"{BASE}/submissions",
        data=body,
        headers={"Content-Type": "application/zip"},
    )
    assert r.status_code == status, r.text
    assert message in r.json()["message"]
    assert stored_submissions(enrolled) == before
    root = enrolled.state_dir / "exchange"
    assert not (root.parent / "evil.ipynb").exists() and not list(root.rglob("evil*"))


def test_only_teachers_release(enrolled):
    body = zip_of({"ex1.ipynb": answer_notebook()})
    assert call(enrolled, "ta", "POST", f"{BASE}/release", data=body).status_code == 403
    assert call(enrolled, "ana", "POST", f"{BASE}/release", data=body).status_code == 403
    r = call(
        enrolled, "teacher", "POST", "exchange/courses/other/assignments/ex1/release", data=body
    )
    assert r.status_code == 201 and r.json()["files"] == ["ex1.ipynb"]
