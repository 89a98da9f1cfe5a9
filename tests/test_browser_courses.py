"""The Courses panel in a real browser (Playwright + Debian chromium) against the demo school:
a new learner signs up, enrols in the MOOC, fetches, answers and submits week 1 and sees the
score and feedback; a SPOC's invite code and seat cap; an instructor's deadline extension
showing up in the learner's panel, in the learner's time zone."""

from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.hub]

PASSWORD = "panel-Passphrase-2027"
ANSWERS = {
    "def bmi": ("def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m ** 2, 1)\n"),
    "def letter": (
        "def letter(score):\n"
        "    if not 0 <= score <= 100:\n"
        "        raise ValueError(score)\n"
        "    for bound, grade in ((90, 'A'), (80, 'B'), (70, 'C'), (60, 'D')):\n"
        "        if score >= bound:\n"
        "            return grade\n"
        "    return 'F'\n"
    ),
}


class Steps:
    """Numbered screenshots of one test, in its test-output folder."""

    def __init__(self, output_dir):
        self.output_dir, self.n = output_dir, 0

    def shot(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.output_dir / f"{self.n}-{name}.png"))


def sign_up(school, username: str) -> None:
    """Sign up through the hub's form (as a browser would, without one)."""
    session = requests.Session()
    session.get(f"{school.url}hub/signup").raise_for_status()
    r = session.post(
        f"{school.url}hub/signup",
        data={
            "username": username,
            "signup_password": PASSWORD,
            "signup_password_confirmation": PASSWORD,
            "_xsrf": session.cookies.get("_xsrf"),
        },
        allow_redirects=False,  # signed in at once and sent on: following would spawn a server
    )
    assert r.status_code == 302, r.text[-500:]


def log_in(browser, school, username, password=None, **context_args):  # noqa: F811
    context_args.setdefault("viewport", {"width": 1400, "height": 950})
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(f"{school.url}hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", password or school.passwords[username])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{username}/lab**", timeout=120_000)
    return context, page


def open_panel(page):
    panel = page.locator("#nbcampus-courses")
    page.locator('.jp-SideBar [data-id="nbcampus-courses"]').wait_for(timeout=120_000)
    # JupyterLab lands on the panel once its layout is restored: click only after that, or the
    # click could come first and the landing find it open (or the landing close what it opened)
    page.locator("body[data-nbcampus-landed]").wait_for(state="attached", timeout=120_000)
    if not panel.is_visible():
        page.locator('.jp-SideBar [data-id="nbcampus-courses"]').click()
    panel.locator(".nbc-card").first.wait_for(timeout=60_000)
    return panel


def test_new_learner_enrols_fetches_submits_and_sees_score_and_feedback(
    school,
    browser,  # noqa: F811
    output_dir,
):
    steps = Steps(output_dir)
    username = f"panel-{uuid.uuid4().hex[:6]}"
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    try:
        page.goto(f"{school.url}hub/signup")
        page.fill("#username_input", username)
        page.fill("#password_input", PASSWORD)
        page.fill("#password_confirmation_input", PASSWORD)
        steps.shot(page, "signup")
        page.click("#signup_submit")
        # signed in by the sign-up itself: no second form
        page.wait_for_url(f"**/user/{username}/lab**", timeout=120_000)

        panel = open_panel(page)
        offer = panel.locator('.nbc-offer[data-course="python-data"]')
        offer.wait_for(timeout=30_000)
        assert panel.locator(".nbc-course").count() == 0  # a new learner has no course yet
        # the COOC is for its company only, and a one-week course says "1 week"
        cooc = panel.locator('.nbc-offer[data-course="acme-secure-coding"] .nbc-meta')
        assert cooc.inner_text() == "COOC · 1 week · 2 h/week · Acme Corp only", cooc.inner_text()
        assert "open to all" in offer.locator(".nbc-meta").inner_text()
        steps.shot(page, "catalog")
        offer.locator(".nbc-enrol").click()
        course = panel.locator('.nbc-course[data-course="python-data"]')
        course.wait_for(timeout=60_000)
        assert (
            "You are enrolled in Python for Data Work" in panel.locator(".nbc-message").inner_text()
        )
        exercise = course.locator('.nbc-exercise[data-title="Functions on numbers"]')
        assert exercise.locator(".nbc-status").inner_text() == "not started"
        assert "on time" in exercise.locator(".nbc-stage").inner_text()
        assert exercise.locator(".nbc-countdown").inner_text().startswith("in 6 d")
        assert course.locator(".nbc-progress-text").inner_text() == "0% complete"
        expect(course.locator(".nbc-course-score")).to_have_text("Course score: nothing graded yet")
        steps.shot(page, "enrolled")

        exercise.locator(".nbc-fetch").click()
        tab = page.locator(".lm-TabBar-tab", has_text="exercises.ipynb")
        tab.wait_for(timeout=60_000)
        exercise = course.locator('.nbc-exercise[data-title="Functions on numbers"]')
        assert exercise.locator(".nbc-status").inner_text() == "in progress"
        # the lessons arrived with the enrolment, without a server restart
        home = school.state_dir / "homes" / username
        assert (home / "python-data" / "lessons" / "week1-python-basics.ipynb").is_file()
        assert (home / "python-data" / "week1-exercises" / "exercises.ipynb").is_file()
        steps.shot(page, "fetched")

        notebook = page.locator(".jp-NotebookPanel:visible")
        for marker, code in ANSWERS.items():
            cell = notebook.locator(".jp-CodeCell", has_text=marker).first
            editor = cell.locator(".cm-content")
            editor.click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(code)
        page.keyboard.press("Escape")
        notebook.locator('.jp-Toolbar [data-command="docmanager:save"]').first.click()
        page.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)
        steps.shot(page, "answered")

        exercise.locator(".nbc-submit").click()
        exercise = course.locator('.nbc-exercise[data-title="Functions on numbers"]')
        score = exercise.locator(".nbc-score")
        score.wait_for(timeout=150_000)
        assert score.inner_text() == "Score 5 / 5"
        assert exercise.locator(".nbc-status").inner_text() == "graded"
        # the feedback's notification is toasted in JupyterLab's notification centre
        toast = page.locator(".Toastify__toast", has_text="Feedback on week1-exercises is ready")
        expect(toast).to_be_visible(timeout=60_000)
        steps.shot(page, "feedback-toast")
        # 1 of 10: three lessons and a video, three exercises, three quizzes
        assert course.locator(".nbc-progress-text").inner_text() == "10% complete"
        # THE weighted course score: the panel shows the service's line, it adds nothing up
        token = school.user_token(username, school.token("admin"))
        mine = school.api(token, "GET", "me/progress", params={"course": "python-data"})
        assert mine.status_code == 200, mine.text
        score = mine.json()["progress"]["score"]
        assert score is not None and score > 0
        expect(course.locator(".nbc-course-score")).to_have_text(f"Course score {score:.1f}%")
        steps.shot(page, "graded")

        exercise.locator(".nbc-feedback").click()
        page.locator(".lm-TabBar-tab", has_text="exercises.html").wait_for(timeout=60_000)
        frame = page.frame_locator(".jp-HTMLViewer iframe").first
        frame.locator("text=Hidden tests").first.wait_for(timeout=30_000)
        steps.shot(page, "feedback")
    except Exception:
        page.screenshot(path=str(output_dir / "failure.png"))
        raise
    finally:
        context.close()

    # the panel reported activity: the notebook opened, counted toward week 1
    admin = school.token("admin")
    rows = school.api(admin, "GET", "courses/python-data/dashboard/activity").json()["rows"]
    assert rows, "no activity recorded"


def test_spoc_needs_its_invite_code_and_a_free_seat(school, browser, output_dir):  # noqa: F811
    steps = Steps(output_dir)
    first, second = (f"spoc-{uuid.uuid4().hex[:6]}" for _ in range(2))
    sign_up(school, first)
    sign_up(school, second)
    instructor = school.token("instructor")
    fillers = []
    context, page = log_in(browser, school, first, PASSWORD)
    try:
        panel = open_panel(page)
        offer = panel.locator('.nbc-offer[data-course="testing-spoc"]')
        offer.locator(".nbc-enrol").click()
        message = panel.locator(".nbc-message-error")
        message.wait_for(timeout=30_000)
        assert "is by invitation: enter your invite code" in message.inner_text()
        steps.shot(page, "refused-without-code")
        offer.locator(".nbc-code").fill("NOT-THE-CODE")
        offer.locator(".nbc-enrol").click()
        panel.locator(".nbc-message-error", has_text="not valid").wait_for(timeout=30_000)
        offer.locator(".nbc-code").fill("TESTING-2027")
        offer.locator(".nbc-enrol").click()
        panel.locator('.nbc-course[data-course="testing-spoc"]').wait_for(timeout=60_000)
        steps.shot(page, "enrolled-with-code")
    finally:
        context.close()

    # the instructor fills the remaining seats
    seats = school.api(instructor, "GET", "courses/testing-spoc").json()["seats"]
    for i in range(seats["left"]):
        name = f"filler-{uuid.uuid4().hex[:6]}-{i}"
        r = school.api(
            instructor,
            "POST",
            "courses/testing-spoc/enrolments",
            json={"username": name, "reason": "seat-cap test"},
        )
        assert r.status_code == 201, r.text
        fillers.append(name)
    try:
        context, page = log_in(browser, school, second, PASSWORD)
        try:
            panel = open_panel(page)
            offer = panel.locator('.nbc-offer[data-course="testing-spoc"]')
            assert "0 of 12 seats left" in offer.locator(".nbc-meta").inner_text()
            offer.locator(".nbc-code").fill("TESTING-2027")
            offer.locator(".nbc-enrol").click()
            message = panel.locator(".nbc-message-error", has_text="is full")
            message.wait_for(timeout=30_000)
            waiting = panel.locator('.nbc-offer[data-course="testing-spoc"] .nbc-waitlisted')
            waiting.wait_for(timeout=30_000)
            assert "you are on the waiting list" in waiting.inner_text()
            assert panel.locator('.nbc-course[data-course="testing-spoc"]').count() == 0
            steps.shot(page, "refused-when-full")
        finally:
            context.close()
        status = school.api(
            school.token("admin"), "GET", f"courses/testing-spoc/enrolments/{second}"
        )
        assert status.json()["status"] == "waitlisted"
    finally:
        for name in fillers + [second]:
            school.api(
                instructor,
                "DELETE",
                f"courses/testing-spoc/enrolments/{name}",
                params={"reason": "seat-cap test done"},
            )


def test_instructor_extends_a_deadline_and_the_learner_sees_it(school, browser, output_dir):  # noqa: F811
    steps = Steps(output_dir)
    # the instructor works in New York, the learner in Paris
    context, page = log_in(
        browser, school, "instructor", locale="en-GB", timezone_id="America/New_York"
    )
    try:
        panel = open_panel(page)
        teach = panel.locator('.nbc-teach[data-course="python-data"]')
        teach.wait_for(timeout=60_000)
        grading = teach.locator(".nbc-teach-assignment", has_text="Functions on numbers")
        grading.locator(".nbc-grading", has_text="Grading:").wait_for(timeout=30_000)
        assert (
            teach.locator("a.nbc-dashboard")
            .get_attribute("href")
            .endswith("/services/nbcampus/courses/python-data/dashboard")
        )
        steps.shot(page, "teaching")
        form = teach.locator(".nbc-extension")
        form.locator("summary").click()
        form.locator(".nbc-ext-learner option[value=learner3]").wait_for(state="attached")
        form.locator(".nbc-ext-learner").select_option("learner3")
        form.locator(".nbc-ext-item").select_option("week1-exercises")
        form.locator(".nbc-ext-due").fill("2031-03-15T12:00")
        form.locator(".nbc-ext-reason").fill("medical note")
        steps.shot(page, "extension-form")
        form.locator(".nbc-extend").click()
        message = panel.locator(".nbc-message-info", has_text="learner3")
        message.wait_for(timeout=30_000)
        assert "15 Mar 2031, 12:00" in message.inner_text()
        steps.shot(page, "extended")
    finally:
        context.close()

    context, page = log_in(browser, school, "learner3", locale="en-GB", timezone_id="Europe/Paris")
    try:
        panel = open_panel(page)
        exercise = panel.locator(
            '.nbc-course[data-course="python-data"] .nbc-exercise[data-title="Functions on numbers"]'
        )
        exercise.wait_for(timeout=60_000)
        due = exercise.locator(".nbc-due")
        # 12:00 in New York (EDT) is 17:00 in Paris (CET) that day
        assert "15 Mar 2031, 17:00" in due.locator(".nbc-due-date").inner_text()
        assert "(extended)" in due.inner_text()
        assert due.get_attribute("title") == "extended: medical note"
        steps.shot(page, "learner-sees-new-date")
    finally:
        context.close()
