"""The discussion API on a real hub and service (SQLite and PostgreSQL): who sees what, inert
markdown, moderation, and a 4xx with the reason for each bad input, nothing half-written."""

from __future__ import annotations

import pytest

from .conftest import call
from .test_openapi import DOC, validator

pytestmark = pytest.mark.hub
COURSE = "forum"


@pytest.fixture(scope="module")
def forum(campus):
    """ana and bo in the spring run of forum, cy in the autumn run; manager mentors."""
    for name in ("ana", "bo", "cy"):
        r = call(campus, name, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
    r = call(
        campus,
        "teacher",
        "PATCH",
        f"courses/{COURSE}/enrolments/cy",
        json={"cohort": "autumn", "reason": "joins the later run"},
    )
    assert r.status_code == 200, r.text
    return campus


def fits(response, template: str, method: str) -> dict:
    """The answer's JSON, checked against the OpenAPI document's schema for it."""
    answers = DOC["paths"][template][method]["responses"]
    schema = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator(schema).iter_errors(response.json())
    ]
    assert errors == [], errors[:3]
    return response.json()


def new_thread(campus, who, status=201, **body):
    body = {"title": "A thread", "body": "Some text", "kind": "discussion", **body}
    r = call(campus, who, "POST", f"courses/{COURSE}/threads", json=body)
    assert r.status_code == status, r.text
    return fits(r, "/api/courses/{course}/threads", "post") if status == 201 else r.json()


def titles(campus, who, **filters) -> list[str]:
    r = call(campus, who, "GET", f"courses/{COURSE}/threads", params=filters)
    assert r.status_code == 200, r.text
    return [t["title"] for t in fits(r, "/api/courses/{course}/threads", "get")["threads"]]


def test_learners_see_their_cohort_course_wide_threads_and_no_private_questions(forum):
    spring = new_thread(forum, "ana", title="spring: loops?", kind="question", module="week1")
    autumn = new_thread(forum, "cy", title="autumn: hello")
    new_thread(forum, "teacher", title="welcome everyone")
    private = new_thread(forum, "bo", title="bo: my grade?", kind="question", private=True)
    assert spring["module"] == "week1" and spring["place"] == "module"
    assert not spring["course_wide"] and private["private"]

    ana = titles(forum, "ana")
    assert "spring: loops?" in ana and "welcome everyone" in ana
    assert "autumn: hello" not in ana and "bo: my grade?" not in ana
    cy = titles(forum, "cy")
    assert "autumn: hello" in cy and "spring: loops?" not in cy and "welcome everyone" in cy
    assert "bo: my grade?" in titles(forum, "bo")
    staff = titles(forum, "manager")  # the mentor sees every cohort and private questions
    assert {"spring: loops?", "autumn: hello", "bo: my grade?"} <= set(staff)
    for who, thread in (("ana", autumn), ("ana", private), ("cy", spring)):
        r = call(forum, who, "GET", f"threads/{thread['id']}")
        assert r.status_code == 404 and f"no thread {thread['id']}" in r.json()["message"]
        r = call(forum, who, "POST", f"threads/{thread['id']}/posts", json={"body": "hi"})
        assert r.status_code == 404

    # the staff queue of unanswered private questions, with their age
    r = call(forum, "teacher", "GET", f"courses/{COURSE}/private-questions")
    queue = fits(r, "/api/courses/{course}/private-questions", "get")["questions"]
    assert private["id"] in [q["thread_id"] for q in queue]
    assert call(forum, "bo", "GET", f"courses/{COURSE}/private-questions").status_code == 403
    r = call(forum, "teacher", "POST", f"threads/{private['id']}/posts", json={"body": "Ask me."})
    assert r.status_code == 201
    queue = call(forum, "teacher", "GET", f"courses/{COURSE}/private-questions").json()
    assert private["id"] not in [q["thread_id"] for q in queue["questions"]]


def test_hidden_posts_are_kept_for_staff_and_never_sent_to_learners(forum):
    thread = new_thread(forum, "ana", title="hide test")
    r = call(forum, "bo", "POST", f"threads/{thread['id']}/posts", json={"body": "buy pills"})
    spam = fits(r, "/api/threads/{thread}/posts", "post")
    r = call(forum, "ana", "POST", f"posts/{spam['id']}/flag", json={"reason": "spam"})
    assert fits(r, "/api/posts/{post}/flag", "post") == {"post_id": spam["id"], "flagged": True}
    r = call(forum, "ana", "POST", f"posts/{spam['id']}/flag", json={"reason": "spam"})
    assert r.status_code == 409 and "already flagged" in r.json()["message"]
    r = call(forum, "ana", "POST", f"posts/{spam['id']}/hide", json={"reason": "spam"})
    assert r.status_code == 403 and "only mentors and staff may hide" in r.json()["message"]
    r = call(forum, "manager", "POST", f"posts/{spam['id']}/hide", json={"reason": "spam"})
    assert fits(r, "/api/posts/{post}/hide", "post")["hide_reason"] == "spam"

    seen = call(forum, "ana", "GET", f"threads/{thread['id']}")
    body = fits(seen, "/api/threads/{thread}", "get")
    assert [p["id"] for p in body["posts"]] == [body["posts"][0]["id"]]
    assert "buy pills" not in seen.text
    staff = call(forum, "teacher", "GET", f"threads/{thread['id']}").json()
    assert [p["hidden"] for p in staff["posts"]] == [False, True]
    assert (
        call(forum, "ana", "POST", f"posts/{spam['id']}/vote", json={"value": 1}).status_code == 404
    )
    audit = call(forum, "teacher", "GET", f"courses/{COURSE}/audit").json()
    acts = [(a["actor"], a["action"], a["reason"]) for a in audit["events"]]
    assert ("manager", "discussion.hide", "spam") in acts and (
        "ana",
        "discussion.flag",
        "spam",
    ) in acts


def test_markdown_from_learners_comes_out_inert(forum):
    evil = (
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "<a href='javascript:alert(2)'>raw</a>\n\n```python\nprint('<b>')\n```"
    )
    thread = new_thread(forum, "ana", title="<script>alert(3)</script>", body=evil)
    html = thread["posts"][0]["html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "<a " not in html  # neither link survives
    assert "&lt;script&gt;" in html and '<code class="language-python">' in html
    # the title and the markdown source are returned as text (JSON), for clients to escape
    assert thread["title"] == "<script>alert(3)</script>"


def test_questions_answers_votes_and_unread(forum):
    q = new_thread(forum, "ana", title="How to double?", kind="question", item="ex1")
    assert q["module"] == "week1" and q["place"] == "item"
    r = call(forum, "bo", "POST", f"threads/{q['id']}/posts", json={"body": "`2 * x`, @ana"})
    answer = fits(r, "/api/threads/{thread}/posts", "post")
    assert answer["mentions"] == ["ana"]
    r = call(forum, "ana", "POST", f"threads/{q['id']}/posts",
             json={"body": "thanks", "parent_id": answer["id"]})  # fmt: skip
    assert r.status_code == 201 and r.json()["depth"] == 2
    r = call(forum, "bo", "POST", f"posts/{answer['id']}/vote", json={"value": 1})
    assert r.status_code == 403 and "own post" in r.json()["message"]
    r = call(forum, "ana", "POST", f"posts/{answer['id']}/vote", json={"value": 1})
    assert fits(r, "/api/posts/{post}/vote", "post") == {
        "post_id": answer["id"],
        "votes": 1,
        "my_vote": 1,
    }
    r = call(forum, "bo", "POST", f"posts/{answer['id']}/accept", json={})
    assert r.status_code == 403
    r = call(forum, "ana", "POST", f"posts/{answer['id']}/accept", json={})
    assert fits(r, "/api/posts/{post}/accept", "post")["accepted_post_id"] == answer["id"]
    assert "How to double?" not in titles(forum, "bo", unanswered="true")
    assert "How to double?" in titles(forum, "bo", q="DOUBLE", item="ex1")
    # bo follows the thread by answering it; ana's comment is unread for bo until he reads it
    assert "How to double?" in titles(forum, "bo", followed="true")
    listed = call(forum, "bo", "GET", f"courses/{COURSE}/threads", params={"item": "ex1"}).json()
    assert next(t for t in listed["threads"] if t["id"] == q["id"])["unread"] == 1
    r = call(forum, "bo", "POST", f"threads/{q['id']}/read", json={})
    fits(r, "/api/threads/{thread}/read", "post")
    listed = call(forum, "bo", "GET", f"courses/{COURSE}/threads", params={"item": "ex1"}).json()
    assert next(t for t in listed["threads"] if t["id"] == q["id"])["unread"] == 0


def test_edit_pin_close_and_closed_threads(forum):
    thread = new_thread(forum, "bo", title="typo tilte")
    path = f"threads/{thread['id']}"
    r = call(forum, "ana", "PATCH", path, json={"title": "mine"})
    assert r.status_code == 403 and "only bo may edit" in r.json()["message"]
    r = call(forum, "bo", "PATCH", path, json={"title": "typo title", "body": "better"})
    edited = fits(r, "/api/threads/{thread}", "patch")
    assert edited["title"] == "typo title" and edited["posts"][0]["edits"] == 1
    r = call(forum, "bo", "GET", f"posts/{edited['posts'][0]['id']}/history")
    assert fits(r, "/api/posts/{post}/history", "get")["edits"][0]["title"] == "typo tilte"
    # a learner may not pin: nothing of that PATCH applies, the title included
    r = call(forum, "bo", "PATCH", path, json={"title": "sneaky", "pinned": True})
    assert r.status_code == 403
    assert call(forum, "bo", "GET", path).json()["title"] == "typo title"
    r = call(forum, "manager", "PATCH", path, json={"closed": True})
    assert r.status_code == 400 and "reason" in r.json()["message"]
    r = call(
        forum,
        "manager",
        "PATCH",
        path,
        json={"closed": True, "reason": "answered in FAQ", "pinned": True},
    )
    closed = fits(r, "/api/threads/{thread}", "patch")
    assert closed["closed"] and closed["pinned"] and closed["close_reason"] == "answered in FAQ"
    r = call(forum, "ana", "POST", f"{path}/posts", json={"body": "one more"})
    assert r.status_code == 409 and "is closed: answered in FAQ" in r.json()["message"]
    assert len(call(forum, "teacher", "GET", path).json()["posts"]) == 1  # nothing written


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "status", "message"),
    [
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "discussion", "colour": 1}, 400, "unknown field 'colour'"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b" * 20_001, "kind": "discussion"}, 400, "body"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "rant"}, 400, "kind"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b"}, 400, "missing field 'kind'"),
        ("ana", "POST", "courses/forum/threads", {"title": " ", "body": "b", "kind": "question"}, 400, "title"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "question", "module": "week9"}, 400, "no module 'week9'"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "discussion", "private": True}, 400, "only a question can be private"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "question", "cohort": "autumn"}, 403, "only staff choose the cohort"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "question", "cell": {"cell_type": "code", "source": "### BEGIN HIDDEN TESTS\nassert f(1)\n### END HIDDEN TESTS"}}, 400, "hidden tests"),
        ("ana", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "question", "cell": {"cell_type": "code", "source": "x", "secret": 1}}, 400, "unknown field 'cell.secret'"),
        ("ta", "POST", "courses/forum/threads", {"title": "t", "body": "b", "kind": "question"}, 403, "ta is not in course 'forum'"),
        ("ta", "GET", "courses/forum/threads", None, 403, "ta is not in course 'forum'"),
        ("ana", "GET", "courses/nope/threads", None, 404, "no course 'nope'"),
        ("ana", "GET", "threads/abc", None, 404, "no thread 'abc'"),
        ("ana", "GET", "threads/999999999", None, 404, "no thread 999999999"),
        ("ana", "POST", "posts/999999999/vote", {"value": 1}, 404, "no post 999999999"),
        ("ana", "POST", "posts/1/vote", {"value": 2}, 400, "value"),
        ("ana", "PATCH", "threads/1", {}, 400, ""),
        ("ana", "POST", "courses/forum/mutes", {"username": "bo", "minutes": 5, "reason": "x"}, 403, "only mentors and staff may mute"),
        (None, "GET", "courses/forum/threads", None, 401, "log in"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_4xx_with_the_reason(forum, who, method, path, body, status, message):
    before = call(
        forum, "teacher", "GET", f"courses/{COURSE}/threads", params={"limit": 200}
    ).json()["total"]
    r = call(forum, who, method, path, **({} if body is None else {"json": body}))
    assert r.status_code == status, r.text
    assert message in r.json()["message"]
    after = call(
        forum, "teacher", "GET", f"courses/{COURSE}/threads", params={"limit": 200}
    ).json()["total"]
    assert after == before  # nothing half-written


def test_bad_query_arguments(forum):
    r = call(forum, "ana", "GET", f"courses/{COURSE}/threads", params={"kind": "rant"})
    assert r.status_code == 400 and "kind must be question or discussion" in r.json()["message"]
    r = call(forum, "ana", "GET", f"courses/{COURSE}/threads", params={"limit": "lots"})
    assert r.status_code == 400 and "limit" in r.json()["message"]


def test_mute_and_rate_limit(forum):
    thread = new_thread(forum, "teacher", title="chatty")
    path = f"threads/{thread['id']}/posts"
    r = call(forum, "manager", "POST", f"courses/{COURSE}/mutes",
             json={"username": "bo", "minutes": 1, "reason": "cool down"})  # fmt: skip
    assert fits(r, "/api/courses/{course}/mutes", "post")["username"] == "bo"
    r = call(forum, "bo", "POST", path, json={"body": "but"})
    assert r.status_code == 403 and "bo is muted in course 'forum'" in r.json()["message"]
    # cy writes until the limit (10 posts a minute by default) answers 429
    statuses = [
        call(forum, "cy", "POST", path, json={"body": f"n{i}"}).status_code for i in range(11)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {201, 429}, statuses
    refused = call(forum, "cy", "POST", path, json={"body": "again"})
    assert refused.status_code == 429 and "posting too fast" in refused.json()["message"]
    posts = call(forum, "teacher", "GET", f"threads/{thread['id']}").json()["posts"]
    assert "again" not in [p["body"] for p in posts]


def test_announcements_sessions_and_the_calendar_feed(forum):
    r = call(forum, "teacher", "POST", f"courses/{COURSE}/announcements",
             json={"title": "For autumn", "body": "See you *soon*", "cohort": "autumn"})  # fmt: skip
    assert fits(r, "/api/courses/{course}/announcements", "post")["cohort"] == "autumn"
    r = call(
        forum, "ana", "POST", f"courses/{COURSE}/announcements", json={"title": "t", "body": "b"}
    )
    assert r.status_code == 403 and "only community managers and instructors" in r.json()["message"]
    r = call(forum, "cy", "GET", f"courses/{COURSE}/announcements")
    assert "For autumn" in [
        a["title"] for a in fits(r, "/api/courses/{course}/announcements", "get")["announcements"]
    ]
    r = call(forum, "ana", "GET", f"courses/{COURSE}/announcements")
    assert "For autumn" not in [a["title"] for a in r.json()["announcements"]]

    session = {"title": "Office hours", "starts_at": "2099-01-05T17:00:00+01:00", "minutes": 45,
               "meeting_url": "https://meet.example/room"}  # fmt: skip
    r = call(forum, "manager", "POST", f"courses/{COURSE}/sessions", json=session)
    made = fits(r, "/api/courses/{course}/sessions", "post")
    assert made["starts_at"] == "2099-01-05T16:00:00+00:00"  # kept in UTC
    for bad, message in (
        ({"meeting_url": "javascript:alert(1)"}, "meeting_url"),
        ({"starts_at": "2099-01-05T17:00:00"}, "time zone"),
        ({"minutes": 0}, "minutes"),
        ({"room": "B12"}, "unknown field 'room'"),
    ):
        r = call(forum, "teacher", "POST", f"courses/{COURSE}/sessions", json={**session, **bad})
        assert r.status_code == 400 and message in r.json()["message"], r.text
    assert call(forum, "bo", "POST", f"courses/{COURSE}/sessions", json=session).status_code == 403
    r = call(forum, "bo", "GET", f"courses/{COURSE}/sessions")
    assert made["id"] in [
        s["id"] for s in fits(r, "/api/courses/{course}/sessions", "get")["sessions"]
    ]

    r = call(
        forum, "manager", "POST", f"sessions/{made['id']}/attendance", json={"usernames": ["bo"]}
    )
    assert fits(r, "/api/sessions/{session}/attendance", "post")["attended"] == ["bo"]
    r = call(forum, "bo", "POST", f"sessions/{made['id']}/attendance", json={"usernames": ["bo"]})
    assert r.status_code == 403
    r = call(forum, "teacher", "POST", f"sessions/{made['id']}/attendance", json={"usernames": []})
    assert r.status_code == 400 and "usernames" in r.json()["message"]

    r = call(forum, "bo", "POST", "me/calendar-key", json={})
    url = fits(r, "/api/me/calendar-key", "post")["url"]
    key = url.split("key=", 1)[1]
    assert len(key) >= 40 and "/api/me/calendar.ics?key=" in url
    feed = call(forum, None, "GET", f"me/calendar.ics?key={key}")  # no login: the key says who
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    assert (
        "SUMMARY:forum: Office hours\r\n" in feed.text and "DTSTART:20990105T160000Z" in feed.text
    )
    assert "SUMMARY:forum: ex1 due" in feed.text
    assert call(forum, None, "GET", "me/calendar.ics?key=guessed").status_code == 404
    call(forum, "bo", "POST", "me/calendar-key", json={})  # a new address revokes the old one
    assert call(forum, None, "GET", f"me/calendar.ics?key={key}").status_code == 404
