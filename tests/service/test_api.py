"""The service's HTTP API behind a real JupyterHub: roles, scopes, enrolment, deadlines.

The hub starts the service as a managed service; callers use real hub tokens. Runs once on
SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests

from nbcampus.service.app import ROUTES
from nbcampus.service.openapi import openapi_document
from nbcampus.testing import LoginFailed

from .conftest import call

pytestmark = pytest.mark.hub


def test_openapi_document_matches_the_routes():
    paths = openapi_document("/services/nbcampus")["paths"]
    templates = {template for template, _ in ROUTES}
    assert templates == set(paths)
    for template, handler in ROUTES:
        implemented = {m for m in ("get", "post", "put", "patch", "delete") if m in vars(handler)}
        assert implemented == set(paths[template]), template


def test_openapi_is_public_and_api_needs_a_login(campus):
    doc = call(campus, None, "GET", "openapi.json")
    assert doc.status_code == 200 and doc.json()["openapi"].startswith("3.")
    assert call(campus, None, "GET", "courses").status_code == 401
    bad = campus.api("not-a-token", "GET", "courses")
    assert bad.status_code in (401, 403)


def test_token_in_url_is_refused(campus):
    r = requests.get(
        f"{campus.url}services/nbcampus/api/courses?token={campus.tokens['ana']}", timeout=30
    )
    assert r.status_code == 400 and "tokens in URLs are refused" in r.json()["message"]


def test_token_without_service_access_is_refused(campus):
    narrow = campus.token("bo", scopes=["read:users:name!user"])
    r = campus.api(narrow, "GET", "courses")
    assert r.status_code == 403 and "no access to the nbcampus service" in r.json()["message"]


def test_catalog_hides_invite_codes_from_learners(campus):
    r = call(campus, "ana", "GET", "courses")
    assert r.status_code == 200
    spoc = {c["id"]: c for c in r.json()["courses"]}["spoc"]
    assert "LET-ME-IN" not in r.text
    seats = spoc["seats"]
    # other tests on this session's campus may have taken seats: the counts must agree
    assert spoc["enrolment"]["invite_only"] is True and seats["cap"] == 25
    assert 0 <= seats["taken"] <= 25 and seats["left"] == 25 - seats["taken"]
    # the instructor of a course sees its codes (they hand them out)
    staff = call(campus, "teacher", "GET", "courses/spoc").json()
    assert staff["enrolment"]["invite_codes"] == ["LET-ME-IN"]


def test_learner_enrols_and_sees_deadlines_in_iso_with_zone(campus):
    r = call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    assert r.status_code == 201 and r.json()["status"] == "enrolled"
    me = call(campus, "ana", "GET", "me/enrolments").json()
    mooc = [e for e in me["enrolments"] if e["course"] == "open-mooc"][0]
    due = {d["id"]: d for d in mooc["deadlines"]}["ex1"]
    assert (
        datetime.fromisoformat(due["due_at"]).utcoffset() is not None and due["source"] == "course"
    )


def test_spoc_code_over_http(campus):
    refused = call(campus, "bo", "POST", "courses/spoc/enrolments", json={})
    assert refused.status_code == 403 and "invite code" in refused.json()["message"]
    wrong = call(campus, "bo", "POST", "courses/spoc/enrolments", json={"code": "GUESS"})
    assert wrong.status_code == 403
    ok = call(campus, "bo", "POST", "courses/spoc/enrolments", json={"code": "LET-ME-IN"})
    assert ok.status_code == 201


def test_bad_json_is_a_clear_400(campus):
    r = call(campus, "ana", "POST", "courses/open-mooc/enrolments", data="{not json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["message"]
    r = call(campus, "ana", "POST", "courses/nope/enrolments", json={})
    assert r.status_code == 404 and "no course 'nope'" in r.json()["message"]


@pytest.mark.parametrize(
    "who, method, path, body",
    [
        ("ana", "GET", "courses/open-mooc/enrolments", None),
        ("ana", "GET", "courses/open-mooc/audit", None),
        ("ana", "PATCH", "courses/open-mooc/enrolments/ana", {"track": "verified", "reason": "me"}),
        (
            "ana",
            "POST",
            "courses/open-mooc/deadlines/ex1",
            {"username": "ana", "due_at": "2031-01-01T00:00:00+00:00", "reason": "x"},
        ),
        ("ana", "POST", "courses/open-mooc/enrolments", {"username": "cy"}),
        ("ana", "DELETE", "courses/open-mooc/enrolments/cy", None),
        ("ana", "GET", "courses/open-mooc/deadlines?username=cy", None),
        ("ana", "POST", "admin/sync", None),
        (
            "ta",
            "POST",
            "courses/open-mooc/deadlines/ex1",
            {"username": "ana", "due_at": "2031-01-01T00:00:00+00:00", "reason": "x"},
        ),
        ("ta", "PATCH", "courses/open-mooc/enrolments/ana", {"track": "verified", "reason": "x"}),
        ("ta", "GET", "courses/other/enrolments", None),
        (
            "manager",
            "PATCH",
            "courses/open-mooc/enrolments/ana",
            {"track": "verified", "reason": "x"},
        ),
        ("manager", "GET", "courses/other/enrolments", None),
        ("teacher", "POST", "admin/sync", None),
    ],
)
def test_each_role_is_refused_what_it_may_not_do(campus, who, method, path, body):
    call(campus, "ana", "POST", "courses/open-mooc/enrolments", json={})
    r = call(campus, who, method, path, json=body)
    assert r.status_code == 403, r.text
    assert r.json()["message"]


def test_staff_powers_and_the_audit_trail(campus):
    call(campus, "cy", "POST", "courses/open-mooc/enrolments", json={})
    # the training manager reads the course's learners
    listing = call(campus, "manager", "GET", "courses/open-mooc/enrolments")
    assert listing.status_code == 200 and "cy" in {
        e["username"] for e in listing.json()["enrolments"]
    }
    # the instructor extends cy's deadline; cy sees it
    due = "2031-05-01T17:00:00+00:00"
    r = call(
        campus,
        "teacher",
        "POST",
        "courses/open-mooc/deadlines/ex1",
        json={"username": "cy", "due_at": due, "reason": "hospital stay"},
    )
    assert r.status_code == 201, r.text
    mine = call(campus, "cy", "GET", "courses/open-mooc/deadlines").json()["deadlines"]
    ex1 = {d["id"]: d for d in mine}["ex1"]
    assert (
        datetime.fromisoformat(ex1["due_at"]),
        ex1["source"],
        ex1["granted_by"],
        ex1["reason"],
    ) == (datetime(2031, 5, 1, 17, tzinfo=UTC), "extension", "teacher", "hospital stay")
    # verified track, then the audit trail has both, with who and why
    r = call(
        campus,
        "teacher",
        "PATCH",
        "courses/open-mooc/enrolments/cy",
        json={"track": "verified", "reason": "paid"},
    )
    assert r.status_code == 200 and r.json()["track"] == "verified"
    assert (
        call(
            campus,
            "teacher",
            "PATCH",
            "courses/open-mooc/enrolments/cy",
            json={"track": "verified"},
        ).status_code
        == 400
    )
    events = call(campus, "teacher", "GET", "courses/open-mooc/audit").json()["events"]
    track = [e for e in events if e["action"] == "enrolment.track" and e["subject"] == "cy"][0]
    assert (track["actor"], track["reason"]) == ("teacher", "paid")
    # the admin may do anything
    assert call(campus, "admin", "POST", "admin/sync").status_code == 200


def test_unenrol_myself_and_reenrol(campus):
    call(campus, "bo", "POST", "courses/open-mooc/enrolments", json={})
    r = call(campus, "bo", "DELETE", "courses/open-mooc/enrolments/bo?reason=too+busy")
    assert r.status_code == 200 and r.json()["status"] == "unenrolled"
    assert (
        call(campus, "bo", "POST", "courses/open-mooc/enrolments", json={}).json()["status"]
        == "enrolled"
    )


def test_200_concurrent_enrolments_for_25_seats(campus):
    admin = campus.tokens["admin"]
    names = [f"racer{i:03d}" for i in range(200)]
    with ThreadPoolExecutor(16) as pool:
        tokens = list(pool.map(lambda name: campus.user_token(name, admin), names))

    def enrol(token):
        return campus.api(token, "POST", "courses/spoc/enrolments", json={"code": "LET-ME-IN"})

    already = call(campus, "teacher", "GET", "courses/spoc").json()["seats"]["taken"]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(enrol, tokens))
    codes = [a.status_code for a in answers]
    assert codes.count(201) == 25 - already
    assert all(c in (201, 409) for c in codes), sorted(set(codes))
    assert all("is full (25 seats)" in a.json()["message"] for a in answers if a.status_code == 409)
    assert call(campus, "teacher", "GET", "courses/spoc").json()["seats"] == {
        "cap": 25,
        "taken": 25,
        "left": 0,
    }


def test_browsers_log_in_with_hub_oauth_and_posts_need_xsrf(campus):
    session = campus.login("cy")
    page = session.get(f"{campus.url}services/nbcampus/")  # redirected through the hub's OAuth
    assert page.status_code == 200 and "Signed in as <strong>cy</strong>" in page.text
    assert (
        "Course open-mooc" in page.text
        and "default-src 'none'" in page.headers["Content-Security-Policy"]
    )
    # the OAuth cookie reads the API ...
    assert session.get(f"{campus.url}services/nbcampus/api/courses").status_code == 200
    # ... but a cross-site POST riding on it (no XSRF token) is not authenticated
    forged = session.post(
        f"{campus.url}services/nbcampus/api/courses/open-mooc/enrolments", json={}
    )
    assert forged.status_code in (401, 403) and forged.json()["message"]


def test_sign_up_refuses_the_username_as_password_keeps_the_name_and_logs_the_learner_in(campus):
    name = f"newcomer{uuid.uuid4().hex[:6]}"
    # the password is the username: refused, with the reason, and the name stays in the form
    session, page = campus.sign_up(name, name)
    assert page.status_code == 200 and "must not contain your username" in page.text
    assert f'value="{name}"' in page.text
    assert whoami(campus, session).status_code in (401, 403)
    with pytest.raises(LoginFailed):
        campus.login(name, name)
    # a mismatched confirmation keeps the name too
    _, page = campus.sign_up(name, "a-long-passphrase-42", confirmation="something-else-42")
    assert "did not match" in page.text and f'value="{name}"' in page.text
    # a good password: the new learner is signed in at once, no second form to fill in
    session, page = campus.sign_up(name, "a-long-passphrase-42")
    assert page.status_code == 302  # on to the hub's next page, as after a login
    me = whoami(campus, session)
    assert me.status_code == 200 and me.json()["name"] == name, (page.url, page.text[:300])


def whoami(campus, session):
    """The hub's answer about the session's user (its cookie, with the XSRF token it needs)."""
    xsrf = session.cookies.get("_xsrf", path="/hub/") or session.cookies.get("_xsrf")
    return session.get(f"{campus.url}hub/api/user", headers={"X-XSRFToken": xsrf or ""})
