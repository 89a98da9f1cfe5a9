"""The Courses panel's server extension in a real learner server on the demo school: forwarding
with the server's token, the whitelist, XSRF, the service's refusals passing through, activity."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def learner(school):
    """learner1's browser-like session with a running server, and a call helper."""
    session = school.login("learner1")
    school.start_server(session, "learner1")
    base = f"{school.url}user/learner1/nbcampus/"
    session.get(f"{school.url}user/learner1/lab").raise_for_status()  # sets the server's _xsrf

    def call(method: str, path: str, xsrf: bool = True, **kwargs):
        headers = kwargs.pop("headers", {})
        if xsrf:
            headers["X-XSRFToken"] = session.cookies.get("_xsrf", path="/user/learner1/")
        return session.request(method, base + path, headers=headers, timeout=60, **kwargs)

    return call


def test_forwards_the_learners_own_calls(learner):
    r = learner("GET", "api/me/enrolments")
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "learner1"
    assert {e["course"] for e in r.json()["enrolments"]} >= {"python-data", "testing-spoc"}
    me = learner("GET", "whoami").json()
    assert me == {
        "username": "learner1",
        "admin": False,
        "staff_courses": [],
        "moderated_courses": [],
    }


def test_my_progress_line_is_forwarded_for_reading(learner):
    r = learner("GET", "api/me/progress", params={"course": "python-data"})
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "learner1" and "score" in r.json()["progress"]
    # only my own line, and only read: the whitelist refuses anything else on that path
    refused = learner("POST", "api/me/progress", json={})
    assert refused.status_code == 403
    assert "is not a call the Courses panel may make" in refused.json()["message"]
    assert learner("GET", "api/me/progress").status_code == 400  # the course is required


def test_another_learners_data_is_refused_by_the_service(learner):
    r = learner("GET", "api/courses/python-data/deadlines", params={"username": "learner2"})
    assert r.status_code == 403
    assert r.json()["message"] == "you may not report in course 'python-data'"


def test_only_whitelisted_paths_are_forwarded(learner):
    for method, path in [
        ("POST", "api/admin/sync"),
        ("POST", "api/courses/python-data/roster"),
        ("GET", "api/courses/python-data/audit"),
        ("POST", "api/courses/python-data/grades/x/cells"),
        ("GET", "api/courses/../admin/sync"),
        ("GET", "api/courses/python-data/enrolments/learner2"),
    ]:
        r = learner(method, path)
        assert r.status_code in (403, 404), (method, path, r.status_code)
        if r.status_code == 403:
            assert "is not a call the Courses panel may make" in r.json()["message"]


def test_posts_need_the_servers_xsrf_token(learner):
    body = {"events": [{"course_id": "python-data", "kind": "connect"}]}
    assert learner("POST", "api/me/activity", xsrf=False, json=body).status_code == 403
    r = learner("POST", "api/me/activity", json=body)
    assert r.status_code == 202 and r.json() == {"accepted": 1}


def test_the_notebooks_i_worked_in_come_back_from_the_service(learner):
    lesson = "python-data/lessons/week2-collections.ipynb"
    body = {"events": [{"course_id": "python-data", "kind": "open", "notebook": lesson}]}
    assert learner("POST", "api/me/activity", json=body).status_code == 202
    r = learner("GET", "api/me/activity", params={"course": "python-data"})
    assert r.status_code == 200, r.text
    assert lesson in {n["notebook"] for n in r.json()["notebooks"]}
    # what the service keeps is the learner's own: no one else's activity, no course unnamed
    assert learner("GET", "api/me/activity").status_code == 400
    assert learner("GET", "api/me/activity", params={"course": "nope"}).status_code == 404


def test_activity_is_checked_by_the_service(learner):
    unknown = learner(
        "POST", "api/me/activity", json={"events": [{"course_id": "nope", "kind": "connect"}]}
    )
    assert unknown.status_code == 404 and unknown.json()["message"] == "no course 'nope'"
    # learner1 is not in the COOC
    other = learner(
        "POST",
        "api/me/activity",
        json={"events": [{"course_id": "acme-secure-coding", "kind": "connect"}]},
    )
    assert other.status_code == 403
    assert other.json()["message"] == "learner1 is not enrolled in acme-secure-coding"
    keys = learner(
        "POST",
        "api/me/activity",
        json={
            "events": [
                {"course_id": "python-data", "kind": "active", "notebook": "a.ipynb", "keys": "x"}
            ]
        },
    )
    assert keys.status_code == 400 and keys.json()["message"] == "unknown field 'events[0].keys'"


def test_exchange_refusals_come_back_with_the_services_message(learner):
    r = learner("POST", "assignments/python-data/no-such-exercise/fetch")
    assert r.status_code == 400
    assert "has not been released" in r.json()["message"]
    assert learner("POST", "assignments/python-data/week1-exercises/delete").status_code == 404


def test_releasing_feedback_is_forwarded_and_the_service_checks_who_asks(learner):
    # the Teaching card's "Release feedback" passes the whitelist; a learner is refused by the
    # service (its grade scope), not by the forwarder
    r = learner("POST", "api/courses/testing-spoc/assignments/testing-exercises/feedback/release")
    assert r.status_code == 403, r.text
    assert "is not a call the Courses panel may make" not in r.json()["message"]
    assert "grade" in r.json()["message"]
