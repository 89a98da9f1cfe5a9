"""The discussion pages for browsers and phones, on a real hub and service (SQLite and
PostgreSQL): a browser logged in to the hub (its OAuth, its cookies, its XSRF token) sees what
the API would show it and nothing more, learner markdown comes out inert, the forms post
through the school's rules and a refusal is shown with its reason, nothing written."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import requests

from .test_discussion_api import COURSE
from .test_openapi import DOC, validator

pytestmark = pytest.mark.hub
PASSWORD = "a-long-passphrase-42"


@dataclass
class Member:
    name: str
    password: str
    token: str


_members: dict[tuple[int, str], Member] = {}
_browsers: dict[tuple[int, str], requests.Session] = {}


def member(campus, who: str) -> Member:
    """A learner of the ``forum`` fixture by role (ana, bo, cy), or a campus account."""
    key = (id(campus), who)
    if key not in _members:
        _members[key] = Member(who, campus.passwords[who], campus.tokens[who])
    return _members[key]


@pytest.fixture(scope="module")
def forum(campus):
    """Learners of their own in course forum: ana and bo in the spring run, cy in the autumn
    run; manager mentors. Fresh accounts, not the campus's ana, bo and cy: the API's tests
    mute bo and spend cy's posts of the minute in the same course."""
    tag = uuid.uuid4().hex[:6]
    for role in ("ana", "bo", "cy"):
        name = f"{role}-{tag}"
        _, signed_up = campus.sign_up(name, PASSWORD)
        assert signed_up.status_code == 302, signed_up.text
        token = campus.user_token(name, campus.tokens["admin"])
        r = campus.api(token, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code == 201, r.text
        _members[(id(campus), role)] = Member(name, PASSWORD, token)
    r = api(campus, "teacher", "PATCH", f"courses/{COURSE}/enrolments/cy-{tag}",
            json={"cohort": "autumn", "reason": "joins the later run"})  # fmt: skip
    assert r.status_code == 200, r.text
    return campus


def api(campus, who: str, method: str, path: str, **kwargs) -> requests.Response:
    """Call the service API with ``who``'s token."""
    return campus.api(member(campus, who).token, method, path, **kwargs)


def new_thread(campus, who: str, **body) -> dict:
    """A thread started through the API, its answer checked against the OpenAPI document."""
    body = {"title": "A thread", "body": "Some text", "kind": "discussion", **body}
    r = api(campus, who, "POST", f"courses/{COURSE}/threads", json=body)
    assert r.status_code == 201, r.text
    schema = DOC["paths"]["/api/courses/{course}/threads"]["post"]["responses"]["201"]
    errors = list(validator(schema["content"]["application/json"]["schema"]).iter_errors(r.json()))
    assert errors == [], errors[:3]
    return r.json()


def browser(campus, who: str) -> requests.Session:
    """A browser-like session of ``who``, logged in through the hub's login form."""
    key = (id(campus), who)
    if key not in _browsers:
        account = member(campus, who)
        _browsers[key] = campus.login(account.name, account.password)
    return _browsers[key]


def page_url(campus, thread_id: int | None = None) -> str:
    url = f"{campus.url}services/nbcampus/courses/{COURSE}/discussion"
    return url if thread_id is None else f"{url}/{thread_id}"


def open_page(campus, who: str, thread_id: int | None = None, **params):
    """The page as ``who``'s browser gets it (through the hub's OAuth the first time)."""
    r = browser(campus, who).get(page_url(campus, thread_id), params=params, timeout=60)
    assert r.url.split("?")[0] == page_url(campus, thread_id), r.url  # no login page
    return r


def xsrf_of(page) -> str:
    return re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)


def submit(campus, who: str, thread_id: int | None, data: dict, xsrf: bool | str = True):
    """Fill in and post a page's form as ``who``'s browser does (redirects not followed); the
    XSRF token is the page's (``xsrf=True``), the one given, or none."""
    form = dict(data)
    if xsrf:
        form["_xsrf"] = (
            xsrf if isinstance(xsrf, str) else xsrf_of(open_page(campus, who, thread_id))
        )
    return browser(campus, who).post(
        page_url(campus, thread_id), data=form, allow_redirects=False, timeout=60
    )


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "b"):
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value!r}>")


def live_parts(text: str) -> list[str]:
    """The tags and attributes of a page that could run or load something of a learner's."""
    parser = _Tags()
    parser.feed(text)
    return parser.live


def api_thread(campus, thread_id: int, who: str = "teacher") -> dict:
    r = api(campus, who, "GET", f"threads/{thread_id}")
    assert r.status_code == 200, r.text
    return r.json()


def test_each_member_sees_what_the_api_shows_them(forum):
    tag = uuid.uuid4().hex[:6]
    spring = new_thread(forum, "ana", title=f"spring-{tag}", kind="question", module="week1")
    autumn = new_thread(forum, "cy", title=f"autumn-{tag}")
    private = new_thread(forum, "bo", title=f"private-{tag}", kind="question", private=True)
    spam = api(forum, "bo", "POST", f"threads/{spring['id']}/posts", json={"body": f"pills-{tag}"})
    spam_id = spam.json()["id"]
    r = api(forum, "manager", "POST", f"posts/{spam_id}/hide", json={"reason": f"spam-{tag}"})
    assert r.status_code == 200, r.text

    ana = open_page(forum, "ana")
    assert ana.status_code == 200 and "default-src 'none'" in ana.headers["Content-Security-Policy"]
    assert '<meta name="viewport"' in ana.text and "<script" not in ana.text
    assert f"spring-{tag}" in ana.text
    assert f"autumn-{tag}" not in ana.text  # the other cohort's
    assert f"private-{tag}" not in ana.text  # bo's private question
    assert f"private-{tag}" in open_page(forum, "bo").text  # ... which bo sees
    cy = open_page(forum, "cy").text
    assert f"autumn-{tag}" in cy and f"spring-{tag}" not in cy
    staff = open_page(forum, "manager").text
    assert {f"spring-{tag}", f"autumn-{tag}", f"private-{tag}"} <= set(
        re.findall(r"\w+-" + tag, staff)
    )

    # a thread one may not see is a 404, as in the API, with nothing of it on the page
    for who, thread in (("ana", autumn), ("ana", private), ("cy", spring)):
        r = open_page(forum, who, thread["id"])
        assert r.status_code == 404 and f"no thread {thread['id']}" in r.text
        assert thread["title"] not in r.text
    # the hidden reply: gone for learners, marked for the staff
    seen = open_page(forum, "ana", spring["id"])
    assert seen.status_code == 200 and f"spring-{tag}" in seen.text
    assert f"pills-{tag}" not in seen.text and f'id="post-{spam_id}"' not in seen.text
    staff_view = open_page(forum, "manager", spring["id"]).text
    assert f"pills-{tag}" in staff_view and f"hidden: spam-{tag}" in staff_view
    assert f"private-{tag}" in open_page(forum, "manager", private["id"]).text

    # the filters are the API's: kind, search, and a bad value refused as the API refuses it
    questions = open_page(forum, "ana", kind="question", q=f"spring-{tag}").text
    assert f"spring-{tag}" in questions
    assert f"spring-{tag}" not in open_page(forum, "ana", kind="discussion").text
    bad = open_page(forum, "ana", kind="gossip")
    assert bad.status_code == 400 and "kind must be question or discussion" in bad.text


def test_learner_markdown_and_cells_come_out_inert(forum):
    tag = uuid.uuid4().hex[:6]
    evil = (
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "<a href='javascript:alert(2)'>raw</a>\n\n```python\nprint('<b>')\n```"
    )
    title = f"<script>alert(3)</script>{tag}"
    r = submit(forum, "ana", None, {"title": title, "body": evil, "kind": "discussion"})
    assert r.status_code == 303, r.text
    page = browser(forum, "ana").get(forum.url.rstrip("/") + r.headers["Location"], timeout=60)
    assert page.status_code == 200 and f"&lt;script&gt;alert(3)&lt;/script&gt;{tag}" in page.text
    assert live_parts(page.text) == []
    assert '<code class="language-python">' in page.text  # the markdown was rendered
    listing = open_page(forum, "ana").text
    assert f"&lt;script&gt;alert(3)&lt;/script&gt;{tag}" in listing and live_parts(listing) == []

    cell = {
        "cell_type": "code",
        "source": f"print('</code></pre><script>alert(4)</script>{tag}')",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "<b onclick=x>hi</b>\n"}],
        "execution_count": 3,
        "notebook": "ex1.ipynb",
    }
    asked = new_thread(forum, "ana", title=f"cell-{tag}", kind="question", item="ex1", cell=cell)
    shown = open_page(forum, "ana", asked["id"]).text
    assert f"&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;{tag}" in shown
    assert "&lt;b onclick=x&gt;hi&lt;/b&gt;" in shown and live_parts(shown) == []
    assert "In [3]" in shown and "week1 / ex1" in shown


def test_replies_and_comments_through_the_forms(forum):
    tag = uuid.uuid4().hex[:6]
    thread = new_thread(forum, "ana", title=f"double-{tag}", kind="question", item="ex1")
    r = submit(forum, "bo", thread["id"], {"body": f"use `2 * x` {tag}"})
    assert r.status_code == 303, r.text
    reply = api_thread(forum, thread["id"])["posts"][1]
    assert r.headers["Location"].endswith(f"/discussion/{thread['id']}#post-{reply['id']}")
    assert reply["author"] == member(forum, "bo").name and reply["body"] == f"use `2 * x` {tag}"
    r = submit(forum, "ana", thread["id"], {"body": f"thanks-{tag}", "parent_id": reply["id"]})
    assert r.status_code == 303, r.text
    assert api(forum, "ana", "POST", f"posts/{reply['id']}/vote", json={"value": 1}).ok
    accept = api(forum, "ana", "POST", f"posts/{reply['id']}/accept", json={})
    assert accept.status_code == 200, accept.text

    page = open_page(forum, "bo", thread["id"]).text
    block = re.search(
        rf'<article class="post depth-1 accepted[^"]*" id="post-{reply["id"]}">', page
    )
    assert block, "the reply is marked as the accepted answer"
    assert "<code>2 * x</code>" in page and "1 votes" in page
    # the comment sits inside its reply's block
    start = page.index(f'id="post-{reply["id"]}"')
    assert page.index("post depth-2", start) < page.index(f"thanks-{tag}", start)

    # a form posted without the hub's XSRF token (a cross-site form) is refused, nothing written
    before = len(api_thread(forum, thread["id"])["posts"])
    forged = submit(forum, "bo", thread["id"], {"body": "forged"}, xsrf=False)
    assert forged.status_code == 403 and "_xsrf" in forged.text
    forged = submit(forum, "bo", None, {"title": f"forged-{tag}", "body": "b", "kind": "question"},
                    xsrf=False)  # fmt: skip
    assert forged.status_code == 403
    assert len(api_thread(forum, thread["id"])["posts"]) == before
    assert f"forged-{tag}" not in open_page(forum, "manager").text


def test_refusals_are_shown_with_their_reason_and_write_nothing(forum):
    tag = uuid.uuid4().hex[:6]
    thread = new_thread(forum, "ana", title=f"closing-{tag}")
    token = xsrf_of(open_page(forum, "bo", thread["id"]))  # the page was open, then closed
    r = api(forum, "manager", "PATCH", f"threads/{thread['id']}",
             json={"closed": True, "reason": f"moved to week 2 {tag}"})  # fmt: skip
    assert r.status_code == 200, r.text
    before = api_thread(forum, thread["id"])["posts"]

    closed = submit(forum, "bo", thread["id"], {"body": f"late-{tag}"}, xsrf=token)
    assert closed.status_code == 409 and f"is closed: moved to week 2 {tag}" in closed.text
    assert 'id="reply"' not in closed.text  # no reply form on a closed thread
    assert api_thread(forum, thread["id"])["posts"] == before
    assert f"late-{tag}" not in open_page(forum, "bo", thread["id"]).text.split("<textarea")[0]

    open_one = new_thread(forum, "bo", title=f"open-{tag}")
    big = submit(forum, "ana", open_one["id"], {"body": "x" * 20_001})
    assert big.status_code == 400 and "at most 20000 characters" in big.text
    assert len(api_thread(forum, open_one["id"])["posts"]) == 1
    # a private discussion is refused by the school's rule, the form kept as filled in
    r = submit(forum, "cy", None,
               {"title": f"secret-{tag}", "body": "b", "kind": "discussion", "private": "true"})  # fmt: skip
    assert r.status_code == 400 and "only a question can be private" in r.text
    assert f'value="secret-{tag}"' in r.text
    assert f"secret-{tag}" not in open_page(forum, "manager").text.split("<form")[0]


def test_announcements_and_sessions_on_top_and_non_members_refused(forum):
    tag = uuid.uuid4().hex[:6]
    r = api(forum, "teacher", "POST", f"courses/{COURSE}/announcements",
             json={"title": f"autumn-news-{tag}", "body": "**read**", "cohort": "autumn"})  # fmt: skip
    assert r.status_code == 201, r.text
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0, second=0)
    r = api(forum, "manager", "POST", f"courses/{COURSE}/sessions",
             json={"title": f"office-{tag}", "starts_at": starts.isoformat(), "minutes": 45,
                   "meeting_url": "https://meet.example/x"})  # fmt: skip
    assert r.status_code == 201, r.text
    cy = open_page(forum, "cy").text
    assert f"autumn-news-{tag}" in cy and "<strong>read</strong>" in cy
    assert f'<time datetime="{starts.isoformat()}">{starts:%Y-%m-%d %H:%M} UTC</time>' in cy
    ana = open_page(forum, "ana").text
    assert f"office-{tag}" in ana and f"autumn-news-{tag}" not in ana

    # the home page links each enrolled course's discussion
    home = browser(forum, "ana").get(f"{forum.url}services/nbcampus/", timeout=60).text
    assert f"/services/nbcampus/courses/{COURSE}/discussion" in home

    # not a member: 403, as in the API; no thread of the course is shown
    thread = new_thread(forum, "ana", title=f"members-{tag}")
    for r in (open_page(forum, "ta"), open_page(forum, "ta", thread["id"])):
        assert r.status_code == 403 and "ta is not in course 'forum'" in unescape(r.text)
        assert f"members-{tag}" not in r.text
    # with a good XSRF token of ta's (the service's cookie after the OAuth login), the
    # school refuses ta: not a member
    token = browser(forum, "ta").cookies.get("_xsrf", path="/services/nbcampus/")
    r = submit(forum, "ta", thread["id"], {"body": "hello"}, xsrf=token)
    assert r.status_code == 403 and "ta is not in course 'forum'" in unescape(r.text)
    assert len(api_thread(forum, thread["id"])["posts"]) == 1


def test_pages_of_threads(forum):
    tag = uuid.uuid4().hex[:6]
    for i in range(3):
        new_thread(forum, "teacher", title=f"page-{tag}-{i}")
    first = open_page(forum, "ana", q=f"page-{tag}", limit=2).text
    assert f"page-{tag}-2" in first and f"page-{tag}-1" in first and f"page-{tag}-0" not in first
    older = re.search(r'href="\?([^"]*offset=2[^"]*)">older', first).group(1).replace("&amp;", "&")
    second = browser(forum, "ana").get(f"{page_url(forum)}?{older}", timeout=60).text
    assert f"page-{tag}-0" in second and f"page-{tag}-2" not in second and "newer" in second


@pytest.mark.browser
def test_a_thread_fits_a_phone(forum, output_dir):
    """At 390 px wide (a phone) the page never scrolls sideways: long code scrolls in its own
    box, long words wrap; the reply box is a full-width tap target."""
    from playwright.sync_api import sync_playwright

    tag = uuid.uuid4().hex[:6]
    body = (
        f"```python\nprint({'x' * 300!r})\n```\n\nhttps://example.org/{'a' * 200}\n\n"
        "| a | b |\n|---|---|\n| " + "wide " * 40 + "| c |"
    )
    cell = {"cell_type": "code", "source": "y = " + "1 + " * 200 + "1", "outputs": []}
    thread = new_thread(forum, "ana", title=f"phone-{'t' * 80}-{tag}", body=body, cell=cell)
    account = member(forum, "ana")
    target = page_url(forum, thread["id"]).removeprefix(forum.url.rstrip("/"))
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        try:
            page = chromium.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{forum.url}hub/login?next={target}")
            page.fill("#username_input", account.name)
            page.fill("#password_input", account.password)
            page.click("#login_submit")
            page.wait_for_url(f"**{target}", timeout=60_000)
            page.locator("#reply textarea").wait_for()
            page.screenshot(path=str(output_dir / "thread-390px.png"), full_page=True)
            sideways = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert sideways <= 0, f"the page scrolls {sideways} px sideways at 390 px"
            box = page.locator("#reply textarea").bounding_box()
            assert box["width"] > 300 and box["height"] >= 44
            assert page.locator("#reply button").bounding_box()["height"] >= 44
        finally:
            chromium.close()
