"""The course home outside JupyterLab (issue 17), on the demo school: a new learner of the demo
MOOC sees the outline by week, what is due next with the time left (after their own extension),
where they stand (a quiz attempt, the certificate's rules), and links that open each item; the
page refuses who is not enrolled. A real browser opens it at a phone's size and goes from it to
the lesson in JupyterLab in one click."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, log_in, sign_up

pytestmark = pytest.mark.hub

COURSE = "python-data"


def new_learner(school, enrol: bool = True) -> tuple[str, str]:
    name = f"home-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    if enrol:
        r = school.api(token, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
    return name, token


def home(school, session, course: str = COURSE):
    r = session.get(f"{school.url}services/nbcampus/courses/{course}/", timeout=60)
    return r, unescape(re.sub(r"<[^>]+>", " ", r.text))


def due_next(text: str) -> str:
    return text.split("Due next", 1)[1].split("Progress", 1)[0]


def test_the_course_home_shows_the_learners_own_standing(school):
    name, token = new_learner(school)
    session = school.login(name, PASSWORD)
    r, text = home(school, session)
    assert r.status_code == 200, r.text[:500]
    assert r.url.endswith(f"/services/nbcampus/courses/{COURSE}/")  # through the hub's login
    assert "Python for Data Work" in text
    for week in ("Week 1:", "Week 2:", "Week 3:"):
        assert week in text
    assert "MOOC · audit track" in text
    # the week-1 exercise and quiz are due in 7 days from enrolment, both not done yet
    soon = due_next(text)
    assert "Functions on numbers" in soon and "Week 1 quiz" in soon
    assert re.search(r"in 6 d 23 h", soon), soon
    # links open the item in the learner's own JupyterLab (a quiz in Voila)
    assert f'href="/user/{name}/lab/tree/{COURSE}/lessons/week1-python-basics.ipynb"' in r.text
    assert f'href="/user/{name}/voila/render/{COURSE}/quizzes/week1-quiz.ipynb"' in r.text
    assert "0 of 4 lessons done" in text
    # the certificate's rules and what this learner still misses
    cert = text.split("Certificate", 1)[1]
    assert "at least 60%" in cert and "the verified track" in cert
    assert "verified" in cert.split("Your score so far", 1)[1]

    # an extension for this learner moves the exercise's due date (before week 2's, day 14)
    later = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    r = school.api(
        school.token("instructor"),
        "POST",
        f"courses/{COURSE}/deadlines/week1-exercises",
        json={"username": name, "due_at": later.isoformat(), "reason": "travelling"},
    )
    assert r.status_code == 201, r.text
    # a quiz attempt: the quiz is done, with its best score
    r = school.api(
        token, "POST", f"courses/{COURSE}/quizzes/week1-quiz/attempts", json={"answers": {}}
    )
    assert r.status_code == 201, r.text
    _, text = home(school, session)
    soon = due_next(text)
    assert "Week 1 quiz" not in soon
    assert re.search(r"Functions on numbers\s+in 9 d 23 h", soon), soon
    assert later.strftime("%Y-%m-%d %H:%M UTC") in soon
    assert "best 0 points" in text


def test_the_course_home_is_for_its_learners(school):
    name, _ = new_learner(school, enrol=False)
    session = school.login(name, PASSWORD)
    r, text = home(school, session)
    assert r.status_code == 403 and "enrol" in text.lower(), text[:300]
    r, _ = home(school, session, "no-such-course")
    assert r.status_code == 404
    # the service's home lists the learner's courses with the way to their course home
    name, _ = new_learner(school)
    session = school.login(name, PASSWORD)
    r = session.get(f"{school.url}services/nbcampus/", timeout=60)
    assert f'href="/services/nbcampus/courses/{COURSE}/"' in r.text


def test_a_learner_upgrades_with_a_code_from_the_course_home(school):
    name, _ = new_learner(school)
    instructor = school.token("instructor")
    r = school.api(instructor, "POST", f"courses/{COURSE}/vouchers", json={"count": 1})
    assert r.status_code == 201, r.text
    (code,) = r.json()["codes"]
    session = school.login(name, PASSWORD)
    r, text = home(school, session)
    assert "Have an upgrade code?" in text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', r.text).group(1)
    url = f"{school.url}services/nbcampus/courses/{COURSE}/"
    # a form from elsewhere has no token: refused, nothing spent
    assert session.post(url, data={"code": code}, timeout=60).status_code == 403
    wrong = session.post(url, data={"code": "AAAA-BBBB-CCCC-DDDD", "_xsrf": xsrf}, timeout=60)
    assert wrong.status_code == 400 and "not an unused upgrade code" in unescape(wrong.text)
    r = session.post(url, data={"code": code, "_xsrf": xsrf}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    assert "awaiting identity verification" in unescape(r.text)
    waiting = school.api(instructor, "GET", f"courses/{COURSE}/upgrades").json()["upgrades"]
    assert name in [u["username"] for u in waiting]
    r = school.api(
        instructor,
        "POST",
        f"courses/{COURSE}/upgrades/{name}",
        json={"approve": True, "reason": "student card checked"},
    )
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    _, text = home(school, session)
    assert "You are on the verified track" in text and "MOOC · verified track" in text
    assert "verified track only" not in text.split("Certificate", 1)[1]


def test_the_cooc_home_shows_points_and_an_opt_in_leaderboard(school):
    session = school.login("learner2")
    r, text = home(school, session, "acme-secure-coding")
    assert r.status_code == 200, r.text[:500]
    points = text.split("Points", 1)[1].split("Leaderboard of my cohort", 1)
    assert re.search(r"\d+ points", points[0]) and "Handling untrusted input: " in points[0]
    assert "Nobody on the board yet." in points[1]  # nobody chose to appear
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', r.text).group(1)
    url = f"{school.url}services/nbcampus/courses/acme-secure-coding/"
    assert session.post(url, data={"leaderboard": "in"}, timeout=60).status_code == 403
    r = session.post(url, data={"leaderboard": "in", "_xsrf": xsrf}, timeout=60)
    assert r.status_code == 200 and "You are on the board." in unescape(r.text)
    assert re.search(r"<li class=me>1\. learner2: \d+ pts</li>", r.text), r.text[-2000:]
    r = session.post(url, data={"leaderboard": "out", "_xsrf": xsrf}, timeout=60)
    assert "You left the board." in unescape(r.text) and "<li class=me>" not in r.text


@pytest.mark.browser
def test_the_course_home_fits_a_phone_and_opens_the_lesson(school, browser, output_dir):  # noqa: F811
    name, _ = new_learner(school)
    context, page = log_in(browser, school, name, PASSWORD)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{school.url}services/nbcampus/courses/{COURSE}/")
        expect(page.locator("h1")).to_have_text("Python for Data Work", timeout=60_000)
        # nothing wider than the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(output_dir / "course-home-phone.png"), full_page=True)
        page.locator("a.open", has_text="Values, variables and functions").first.click()
        page.wait_for_url(f"**/user/{name}/lab/tree/{COURSE}/lessons/*", timeout=120_000)
        # JupyterLab names the open document (shortened) in the window title
        expect(page).to_have_title(re.compile(r"^week1-python"), timeout=120_000)
        expect(page.locator(".jp-NotebookPanel:visible")).to_have_count(1)
    finally:
        context.close()
