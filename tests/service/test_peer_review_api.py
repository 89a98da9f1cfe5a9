"""The peer-review API on a real hub and service (SQLite and PostgreSQL): three learners
submit, each reviews two, each sees a grade; anonymity in every payload; staff queue and an
audited override; a 4xx with the reason for each bad input, nothing half-written."""

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
from .test_peer_review import BLOCK, COURSE, Peer

pytestmark = pytest.mark.hub
LEARNERS = ("ana", "bo", "cy")
GOOD = {"levels": {"clarity": 2, "method": 1}, "comment": "Nice *work*"}


@pytest.fixture(scope="module")
def course(campus, tmp_path_factory):
    """``peer`` published into the running service; ana, bo and cy enrolled and submitted."""
    root = tmp_path_factory.mktemp("peer-courses")
    folder = write_peer_course(root, COURSE, BLOCK)
    db = Database(campus.db_url)
    with db.session() as session:
        publish_course(session, load_course(folder))
    for name in LEARNERS:
        r = call(campus, name, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
    peer = Peer(db, campus.state_dir / "exchange")
    for i, name in enumerate(LEARNERS):
        peer.submit(name, utcnow() - timedelta(hours=3 - i))
    yield campus
    with db.session() as session:  # out of the catalog again for the other tests
        session.get(CourseRecord, COURSE).active = False
    db.dispose()


def no_names(payload, *names):
    text = json.dumps(payload).lower()
    for name in names:
        assert f'"{name}"' not in text and f"/{name}/" not in text and f" {name}" not in text


def test_three_learners_review_two_each_and_see_a_grade_anonymously(course):
    base = f"courses/{COURSE}/peer-reviews"
    for name in LEARNERS:
        for _ in range(2):
            r = call(course, name, "POST", f"{base}/ex1/allocations")
            assert r.status_code == 201, r.text
            held = fits(r, "/api/courses/{course}/peer-reviews/{item}/allocations", "post")
            others = [n for n in LEARNERS if n != name]
            no_names(held, *others)
            assert "secret-check" not in json.dumps(held) and "<script" not in held["html"]
            again = call(course, name, "POST", f"{base}/ex1/allocations")
            assert again.status_code == 200
            assert again.json()["allocation_id"] == held["allocation_id"]
            r = call(
                course, name, "POST", f"peer-allocations/{held['allocation_id']}/review", json=GOOD
            )
            assert r.status_code == 201, r.text
            fits(r, "/api/peer-allocations/{allocation}/review", "post")
        r = call(course, name, "POST", f"{base}/ex1/allocations")
        assert r.status_code == 409 and "no submission of your cohort" in r.json()["message"]
    for name in LEARNERS:
        r = call(course, name, "GET", f"{base}/ex1/received")
        mine = fits(r, "/api/courses/{course}/peer-reviews/{item}/received", "get")
        assert [x["reviewer"] for x in mine["reviews"]] == ["Reviewer 1", "Reviewer 2"]
        no_names(mine, *[n for n in LEARNERS if n != name])
        assert (
            mine["grade"]["score"] == 5.0 and "<em>work</em>" in mine["reviews"][0]["comment_html"]
        )
        listing = fits(call(course, name, "GET", base), "/api/courses/{course}/peer-reviews", "get")
        [item] = listing["items"]
        assert (item["reviews_given"], item["reviews_received"], item["held"]) == (2, 2, None)
        assert item["grade"]["max_score"] == 5.0 and item["phase"] == "submission"

    # ana flags a review; staff see it in the queue and override her grade (audited)
    review_id = mine["reviews"][0]["review_id"]  # cy's first review
    r = call(course, "ana", "POST", f"peer-reviews/{review_id}/flag", json={"reason": "x"})
    assert r.status_code == 404  # not a review of ana's work
    r = call(course, "cy", "POST", f"peer-reviews/{review_id}/flag", json={"reason": "unfair"})
    assert r.status_code == 200, r.text
    r = call(course, "admin", "GET", f"{base}/ex1/queue")
    queue = fits(r, "/api/courses/{course}/peer-reviews/{item}/queue", "get")
    assert queue["short"] == [] and queue["flagged"][0]["reason"] == "unfair"
    assert call(course, "ana", "GET", f"{base}/ex1/queue").status_code == 403
    r = call(
        course,
        "admin",
        "POST",
        f"{base}/ex1/overrides",
        json={"username": "cy", "score": 3, "reason": "read it myself"},
    )
    assert r.status_code == 200, r.text
    assert (
        fits(r, "/api/courses/{course}/peer-reviews/{item}/overrides", "post")["grade"]["score"]
        == 3
    )
    audit = call(course, "admin", "GET", f"courses/{COURSE}/audit")
    assert audit.status_code == 200, audit.text
    [event] = [e for e in audit.json()["events"] if e["action"] == "peer_review.override"]
    assert (event["actor"], event["subject"], event["reason"]) == ("admin", "cy", "read it myself")


@pytest.mark.parametrize(
    "method, path, body, status, message",
    [
        ("POST", "peer-allocations/999999/review", GOOD, 404, "no reservation 999999"),
        ("POST", "peer-allocations/abc/review", GOOD, 404, "no reservation 'abc'"),
        ("POST", "peer-allocations/1/review", {"levels": {}, "colour": 1}, 400, "colour"),
        (
            "POST",
            "peer-allocations/1/review",
            {"levels": {"clarity": 1}, "comment": "x" * 20_001},
            400,
            "comment",
        ),
        ("POST", f"courses/{COURSE}/peer-reviews/nope/allocations", None, 404, "nope"),
        ("GET", "courses/other/peer-reviews", None, 403, "not enrolled"),
        (
            "POST",
            f"courses/{COURSE}/peer-reviews/ex1/overrides",
            {"username": "ana", "score": 1, "reason": "x"},
            403,
            "may not grade",
        ),
        ("POST", "peer-reviews/1/flag", {}, 400, "reason"),
    ],
)
def test_bad_input_is_refused_with_the_reason(course, method, path, body, status, message):
    kwargs = {} if body is None else {"json": body}
    r = call(course, "bo", method, path, **kwargs)
    assert r.status_code == status, r.text
    assert message in r.json()["message"]
