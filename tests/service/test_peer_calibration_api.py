"""Calibration through the real hub and service (SQLite and PostgreSQL): the allocation waits
for the examples, each answer fits the OpenAPI document, the reference only once passed, 409
for an example out of order, 400 naming a bad level; the reviewing score in the listing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.models import CourseRecord
from nbcampus.school.core.db import Database
from nbcampus.school.core.models import utcnow
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import write_peer_course

from .conftest import call
from .test_discussion_api import fits
from .test_peer_calibration import CALIBRATION
from .test_peer_review import BLOCK, Peer

pytestmark = pytest.mark.hub
CALIBRATED = "peer-calib"
BASE = f"courses/{CALIBRATED}/peer-reviews/ex1"
TEMPLATE = "/api/courses/{course}/peer-reviews/{item}/calibration"


@pytest.fixture(scope="module")
def course(campus, tmp_path_factory):
    """``peer-calib`` (ex1 with two calibration examples) in the service; ana, bo submitted."""
    root = tmp_path_factory.mktemp("calibration-courses")
    folder = write_peer_course(root, CALIBRATED, {**BLOCK, "calibration": CALIBRATION})
    db = Database(campus.db_url)
    with db.session() as session:
        publish_course(session, load_course(folder))
    for name in ("ana", "bo"):
        r = call(campus, name, "POST", f"courses/{CALIBRATED}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
    peer = Peer(db, campus.state_dir / "exchange", CALIBRATED)
    peer.submit("ana", utcnow() - timedelta(hours=2))
    peer.submit("bo", utcnow() - timedelta(hours=1))
    yield campus
    with db.session() as session:  # out of the catalog again for the other tests
        session.get(CourseRecord, CALIBRATED).active = False
    db.dispose()


def test_a_learner_calibrates_before_reviewing(course):
    r = call(course, "bo", "POST", f"{BASE}/allocations")
    assert r.status_code == 403 and "practise on the 2 calibration examples" in r.json()["message"]
    first = fits(call(course, "bo", "GET", f"{BASE}/calibration"), TEMPLATE, "get")
    assert (first["index"], first["calibrated"]) == (0, False)
    assert (
        "<script" not in first["answer_html"] and "<strong>clear</strong>" in first["answer_html"]
    )

    wrong = {"index": 0, "levels": {"clarity": 0, "method": 1}}
    r = call(course, "bo", "POST", f"{BASE}/calibration", json=wrong)
    checked = fits(r, TEMPLATE, "post")
    assert checked["passed"] is False and checked["criteria"]["clarity"] == "too low"
    assert checked["reference"] is None and "sound" not in json.dumps(checked)

    r = call(course, "bo", "POST", f"{BASE}/calibration", json={**wrong, "index": 1})
    assert r.status_code == 409 and "example 0" in r.json()["message"]
    r = call(
        course,
        "bo",
        "POST",
        f"{BASE}/calibration",
        json={"index": 0, "levels": {"clarity": 9, "method": 1}},
    )
    assert r.status_code == 400 and "levels.clarity: 9 is not a level" in r.json()["message"]
    r = call(
        course, "bo", "POST", f"{BASE}/calibration", json={"index": 0, "levels": {"clarity": -1}}
    )
    assert r.status_code == 400 and "levels" in r.json()["message"]
    r = call(course, "bo", "POST", f"{BASE}/calibration", json={"levels": {}})
    assert r.status_code == 400 and "index" in r.json()["message"]

    for index, levels in ((0, {"clarity": 2, "method": 1}), (1, {"clarity": 0, "method": 0})):
        r = call(
            course, "bo", "POST", f"{BASE}/calibration", json={"index": index, "levels": levels}
        )
        checked = fits(r, TEMPLATE, "post")
        assert checked["passed"] is True and checked["reference"] == levels
    assert checked["calibrated"] is True
    done = fits(call(course, "bo", "GET", f"{BASE}/calibration"), TEMPLATE, "get")
    assert done["calibrated"] is True and done["index"] is None

    r = call(course, "bo", "POST", f"{BASE}/allocations")
    assert r.status_code == 201, r.text
    listing = fits(
        call(course, "bo", "GET", f"courses/{CALIBRATED}/peer-reviews"),
        "/api/courses/{course}/peer-reviews",
        "get",
    )
    [item] = listing["items"]
    assert item["calibration"] == {"examples": 2, "passed": 2, "calibrated": True}
    assert item["reviewing"] is None  # nothing compared yet
    assert item["held"] is not None and "ana" not in json.dumps(item)
    # ana has not practised: still refused
    r = call(course, "ana", "POST", f"{BASE}/allocations")
    assert r.status_code == 403 and "(0 passed)" in r.json()["message"]
    queue = call(course, "admin", "GET", f"{BASE}/queue")
    assert fits(queue, "/api/courses/{course}/peer-reviews/{item}/queue", "get")["reviewers"] == []


def test_calibration_of_an_item_not_peer_reviewed_is_404(course):
    r = call(course, "bo", "GET", f"courses/{CALIBRATED}/peer-reviews/nope/calibration")
    assert r.status_code == 404 and "nope" in r.json()["message"]
