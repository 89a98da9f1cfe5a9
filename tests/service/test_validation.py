"""Request bodies are checked by their JSON Schema through the real API: unknown keys, wrong
types and out-of-range values are a 400 naming the field; uploads whose members are damaged
or nest too deep are a 400 and nothing is stored."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from .conftest import call
from .test_exchange_api import BASE, answer_notebook, stored_submissions, zip_of

pytestmark = pytest.mark.hub


@pytest.mark.parametrize(
    "who, method, path, body, message",
    [
        (
            "teacher",
            "POST",
            "courses/open-mooc/assignments/ex1/grading",
            {"only": "sometimes"},
            "only: 'sometimes' is not one of ['latest', 'all', 'failed']",
        ),
        (
            "ana",
            "POST",
            "courses/open-mooc/enrolments",
            {"colour": "red"},
            "unknown field 'colour'",
        ),
        ("ana", "POST", "courses/open-mooc/enrolments", {"code": 7}, "code: 7 is not valid"),
        (
            "teacher",
            "POST",
            "courses/open-mooc/grades/nope/cells",
            {"notebook": "ex1", "grade_id": "g", "points": "ten", "reason": "r"},
            "points: 'ten' is not of type 'number'",
        ),
        (
            "teacher",
            "POST",
            "courses/open-mooc/grades/nope/cells",
            {"notebook": "ex1", "grade_id": "g", "points": 1},
            "missing field 'reason'",
        ),
        (
            "teacher",
            "POST",
            "courses/open-mooc/deadlines/ex1",
            {"username": "ana", "due_at": "2031-01-01T00:00:00"},
            "due_at: needs a time zone",
        ),
        (
            "teacher",
            "POST",
            "courses/open-mooc/deadlines/ex1",
            {"username": "ana", "due_at": "tomorrow"},
            "due_at: must be an ISO 8601 time with zone",
        ),
        (
            "teacher",
            "PATCH",
            "courses/open-mooc/enrolments/ana",
            {"track": "gold", "reason": "x"},
            "track: 'gold' is not one of ['audit', 'verified']",
        ),
        (
            "ana",
            "POST",
            "me/activity",
            {"events": [{"course_id": "open-mooc", "kind": "active", "seconds": 99999}]},
            "events[0].seconds: 99999 is greater than the maximum of 3600",
        ),
        (
            "ana",
            "POST",
            "me/activity",
            {"events": [{"course_id": "open-mooc", "kind": "open", "keys": "abc"}]},
            "unknown field 'events[0].keys'",
        ),
        (
            "ana",
            "POST",
            "courses/open-mooc/quizzes/week1-quiz/attempts",
            {},
            "missing field 'answers'",
        ),
        (
            "teacher",
            "POST",
            "courses/open-mooc/certificates",
            {"learner": ["ana"]},
            "learner: ['ana'] is not valid",
        ),
        (
            "teacher",
            "POST",
            "courses/open-mooc/certificates/approvals/ana",
            {"reason": "   "},
            "reason: '   ' does not match",
        ),
    ],
)
def test_bad_bodies_are_a_400_naming_the_field(campus, who, method, path, body, message):
    call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    r = call(campus, who, method, path, json=body)
    assert r.status_code == 400, r.text
    assert r.json()["message"].startswith(message), r.json()["message"]


def test_permission_is_checked_before_the_body(campus):
    # a learner's bad body to a staff-only endpoint is refused for who they are
    r = call(campus, "ana", "POST", "courses/open-mooc/assignments/ex1/grading", json={"x": 1})
    assert r.status_code == 403 and r.json()["message"] == "you may not grade in course 'open-mooc'"


def test_todays_bodies_stay_accepted(campus):
    call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    # the CLI's and the panel's bodies
    r = call(
        campus,
        "teacher",
        "POST",
        "courses/open-mooc/deadlines/ex1",
        json={"username": "ana", "due_at": "2031-02-01T17:00:00+00:00", "reason": "ill"},
    )
    assert r.status_code == 201, r.text
    r = call(campus, "teacher", "POST", "courses/open-mooc/assignments/ex1/grading", json={})
    assert r.status_code == 202, r.text
    r = call(campus, "teacher", "POST", "courses/open-mooc/certificates", json={})
    assert r.status_code in (200, 201), r.text


def crc_damaged_zip() -> bytes:
    """A ZIP whose only member fails its CRC check (one byte of its stored data flipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("ex1.ipynb", answer_notebook())
    data = bytearray(buffer.getvalue())
    data[data.index(b'"cells"') + 2] ^= 0x01
    return bytes(data)


def deep_notebook_zip() -> bytes:
    return zip_of({"ex1.ipynb": "[" * 100_000 + "]" * 100_000})


@pytest.mark.parametrize(
    "body, message",
    [
        (crc_damaged_zip(), "'ex1.ipynb' is damaged in the archive: Bad CRC-32"),
        (deep_notebook_zip(), "ex1.ipynb: not valid JSON (nested too deep)"),
    ],
    ids=["bad-crc", "deep-json"],
)
def test_damaged_uploads_are_a_400_and_nothing_is_stored(campus, body, message):
    call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    before = stored_submissions(campus)
    r = call(
        campus,
        "ana",
        "POST",
        f"{BASE}/submissions",
        data=body,
        headers={"Content-Type": "application/zip"},
    )
    assert r.status_code == 400, r.text
    # the problem, named after the member (zipfile may add the file's name to its own words)
    assert r.json()["message"].startswith(message)
    assert stored_submissions(campus) == before
    # the same for a release and for feedback
    r = call(campus, "teacher", "POST", f"{BASE}/release", data=body)
    assert r.status_code == 400 and r.json()["message"].startswith(message)
    assert json.loads(r.text)["status"] == 400
