"""The rewards and nudges API and the nudges page on a real hub (SQLite and PostgreSQL): my
points and streak, the leaderboard that hides who did not opt in, staff's at-risk view and
messages (a learner gets them as nudges), the page's form with its XSRF token; refusals that
say why; answers that fit the OpenAPI document."""

from __future__ import annotations

import re

import pytest

from nbcampus.service.openapi import openapi_document
from nbcampus.testing import running_campus

from .test_openapi import validator

COURSE = "open-mooc"
DOC = openapi_document("/services/nbcampus")
ENGAGEMENT = {
    "rewards": {
        "points": {"lesson": 10, "exercise": 50, "quiz": 20, "accepted_answer": 15},
        "leaderboard": True,
    },
    "nudges": {"inactive_days": 7, "missed_deadline": True},
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def school(request, tmp_path_factory):
    state = tmp_path_factory.mktemp("engage")
    with running_campus(state, request.param, "engage", open_mooc=ENGAGEMENT) as campus:
        for who in ("ana", "bo"):
            r = call(campus, who, "POST", f"courses/{COURSE}/enrolments", json={})
            assert r.status_code in (200, 201), r.text
        yield campus


def call(campus, who, method, path, **kwargs):
    return campus.api(campus.tokens[who] if who else None, method, path, **kwargs)


def fits(response, template: str, method: str, status: int) -> dict:
    schema = DOC["paths"][template][method]["responses"][str(status)]
    errors = list(
        validator(schema["content"]["application/json"]["schema"]).iter_errors(response.json())
    )
    assert errors == [], errors[:3]
    return response.json()


def test_my_points_and_streak(school):
    r = call(school, "ana", "GET", f"courses/{COURSE}/points")
    assert r.status_code == 200, r.text
    mine = fits(r, "/api/courses/{course}/points", "get", 200)
    assert mine["total"] == 0 and mine["name"] == "ana"
    assert [m["id"] for m in mine["modules"]] == ["week1"]
    assert mine["streak"]["current_weeks"] == 0
    assert mine["leaderboard"] == {"enabled": True, "opted_in": False}
    assert call(school, "cy", "GET", f"courses/{COURSE}/points").status_code == 403
    r = call(school, "ana", "GET", "courses/other/points")
    assert r.status_code in (403, 404)  # not enrolled there, and it gives no points


def test_the_leaderboard_shows_only_who_opted_in(school):
    r = call(school, "ana", "PATCH", f"courses/{COURSE}/leaderboard", json={"opted_in": True})
    assert r.status_code == 200, r.text
    board = fits(r, "/api/courses/{course}/leaderboard", "patch", 200)
    assert [(e["name"], e["me"]) for e in board["entries"]] == [("ana", True)]
    r = call(school, "bo", "GET", f"courses/{COURSE}/leaderboard")
    seen = fits(r, "/api/courses/{course}/leaderboard", "get", 200)
    assert seen["opted_in"] is False
    assert [e["name"] for e in seen["entries"]] == ["ana"]  # bo did not opt in: not there
    assert "bo" not in r.text
    bad = call(school, "bo", "PATCH", f"courses/{COURSE}/leaderboard", json={"opted_in": "yes"})
    assert bad.status_code == 400 and "opted_in" in bad.json()["message"]
    assert call(school, "cy", "GET", f"courses/{COURSE}/leaderboard").status_code == 403


def test_staff_see_the_at_risk_list_and_message_a_learner(school):
    assert call(school, "ana", "GET", f"courses/{COURSE}/nudges").status_code == 403
    r = call(school, "teacher", "GET", f"courses/{COURSE}/nudges")
    assert r.status_code == 200, r.text
    view = fits(r, "/api/courses/{course}/nudges", "get", 200)
    assert view["rules"] == {"inactive": 7, "missed_deadline": True}
    assert view["at_risk"] == []  # just enrolled: nobody is at risk yet
    message = {"title": "Welcome", "body": "Start with <b>Lesson 1</b>.", "usernames": ["ana"]}
    r = call(school, "teacher", "POST", f"courses/{COURSE}/nudges", json=message)
    assert r.status_code == 201, r.text
    assert fits(r, "/api/courses/{course}/nudges", "post", 201) == {"sent_to": ["ana"], "told": 1}
    inbox = call(school, "ana", "GET", "me/notifications").json()["notifications"]
    [told] = [n for n in inbox if n["kind"] == "nudge"]
    assert told["title"] == "Welcome" and told["body"] == "Start with <b>Lesson 1</b>."
    assert told["link"].endswith(f"courses/{COURSE}/")
    assert not [n for n in call(school, "bo", "GET", "me/notifications").json()["notifications"]
                if n["kind"] == "nudge"]  # fmt: skip
    view = call(school, "teacher", "GET", f"courses/{COURSE}/nudges").json()
    assert [(n["username"], n["rule"], n["sent_by"]) for n in view["nudges"]] == [
        ("ana", "message", "teacher")
    ]
    stranger = call(school, "teacher", "POST", f"courses/{COURSE}/nudges",
                    json={**message, "usernames": ["zoe"]})  # fmt: skip
    assert stranger.status_code == 404 and "zoe" in stranger.json()["message"]
    both = call(school, "teacher", "POST", f"courses/{COURSE}/nudges",
                json={**message, "at_risk": True})  # fmt: skip
    assert both.status_code == 400
    r = call(school, "teacher", "POST", f"courses/{COURSE}/nudges",
             json={"title": "All", "body": "Hello", "at_risk": True})  # fmt: skip
    assert r.json() == {"sent_to": [], "told": 0}


def test_the_nudges_page_lists_and_sends_with_its_xsrf_token(school):
    browser = school.login("teacher")
    url = f"{school.url}services/nbcampus/courses/{COURSE}/nudges"
    page = browser.get(url, timeout=60)
    assert page.status_code == 200 and "At risk now" in page.text
    assert "<script" not in page.text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    form = {"to": "bo", "title": "Keep going", "body": "<i>Nice</i> start"}
    forged = browser.post(url, data=form, allow_redirects=False, timeout=60)
    assert forged.status_code == 403
    sent = browser.post(url, data={**form, "_xsrf": xsrf}, allow_redirects=False, timeout=60)
    assert sent.status_code == 200 and "Sent to 1 learner(s)." in sent.text
    inbox = call(school, "bo", "GET", "me/notifications").json()["notifications"]
    assert [n["title"] for n in inbox if n["kind"] == "nudge"] == ["Keep going"]
    assert "Keep going" in browser.get(url, timeout=60).text  # in the nudges given
    learner = school.login("ana").get(url, timeout=60)
    assert learner.status_code == 403
