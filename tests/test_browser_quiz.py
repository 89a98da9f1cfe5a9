"""The week-1 quiz of the demo MOOC in Voilà, in a real browser: scored by the service, options in
each learner's own stable order, and no answer key anywhere in the learner's server."""

from __future__ import annotations

import json
import re
import uuid

import nbformat
import pytest
import requests
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, log_in, sign_up

from nbcampus.testing import kernel_execute

pytestmark = [pytest.mark.browser, pytest.mark.hub]

QUIZ_PATH = "python-data/quizzes/week1-quiz.ipynb"
#: strings of the key that must never reach a learner (see courses/python-data/quizzes)
KEY_MARKERS = ['"answer"', '"patterns"', '"tolerance"', "^\\\\s*def\\\\s*$"]


def login(browser, school, username):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    page.goto(f"{school.url}hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", school.passwords[username])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{username}/lab**", timeout=120_000)
    return context, page


def open_quiz(page, school, username):
    page.goto(f"{school.url}user/{username}/voila/render/{QUIZ_PATH}")
    page.locator(".nbcampus-quiz").wait_for(timeout=120_000)


def option_order(page) -> dict[str, list[str]]:
    order = {}
    for qid in ("w1-division-type", "w1-return"):
        labels = page.locator(f".nbcampus-question-{qid} label")
        order[qid] = [t.strip() for t in labels.all_inner_texts() if t.strip()]
    return order


#: run in the Voilà kernel: everything its Quiz widgets hold, as JSON
KERNEL_PROBE = """
import gc, json
from nbcampus.quiz import Quiz
held = [json.dumps([q.question for q in o.questions]) for o in gc.get_objects() if isinstance(o, Quiz)]
print(json.dumps(held))
"""


def run_in_kernels(school, username: str, code: str) -> list[str]:
    """Run ``code`` in each of the user's running kernels (Voilà's); their outputs."""
    token = school.token(username)
    api = f"{school.url}user/{username}/api/kernels"
    kernels = requests.get(api, headers={"Authorization": f"token {token}"}, timeout=30).json()
    assert kernels, "the Voilà page has no kernel"
    return [run_in_kernel(api, token, k["id"], code) for k in kernels]


def run_in_kernel(api: str, token: str, kernel_id: str, code: str) -> str:
    run = kernel_execute(
        api.replace("http", "ws", 1) + f"/{kernel_id}/channels",
        code,
        timeout=60,
        header=[f"Authorization: token {token}"],
    )
    if run.error:
        raise AssertionError(run.error)
    return run.stdout


def test_learners_take_the_week1_quiz_in_voila(school, browser, output_dir):  # noqa: F811
    context, page = login(browser, school, "learner1")
    try:
        open_quiz(page, school, "learner1")
        first = option_order(page)
        assert sorted(first["w1-division-type"]) == ["bool", "float", "int", "str"]
        page.screenshot(path=str(output_dir / "1-quiz-open.png"), full_page=True)
        page.reload()
        page.locator(".nbcampus-quiz").wait_for(timeout=120_000)
        assert option_order(page) == first  # a reload keeps the order

        q = page.locator
        q(".nbcampus-question-w1-division-type label", has_text="float").click()
        q(".nbcampus-question-w1-return label", has_text="return value").first.click()
        q(".nbcampus-question-w1-return label", has_text="inside an").click()
        q(".nbcampus-question-w1-modulo input").fill("2")
        q(".nbcampus-question-w1-output textarea").fill("20")
        q(".nbcampus-question-w1-def input").fill("def")
        q(".nbcampus-quiz-submit").click()
        q(".nbcampus-quiz-confirm").click()  # "Submitting uses attempt 1 of 3"
        score = q(".nbcampus-score")
        score.wait_for(timeout=60_000)
        assert score.inner_text() == "Score: 6 / 6"
        assert q(".nbcampus-question-w1-modulo", has_text="Correct").count() == 1
        page.screenshot(path=str(output_dir / "2-quiz-scored.png"), full_page=True)
        # the page's kernel holds the questions and nothing of the key
        held = [
            h for out in run_in_kernels(school, "learner1", KERNEL_PROBE) for h in json.loads(out)
        ]
        assert any("w1-division-type" in h for h in held)
        for marker in KEY_MARKERS:
            assert not any(marker in h for h in held)
    finally:
        context.close()

    # the service recorded the attempt
    r = school.api(school.token("learner1"), "GET", "courses/python-data/quizzes/week1-quiz")
    assert [a["score"] for a in r.json()["attempts"]] == [6]

    context, page = login(browser, school, "learner2")
    try:
        open_quiz(page, school, "learner2")
        second = option_order(page)
        assert sorted(second["w1-division-type"]) == sorted(first["w1-division-type"])
        assert second != first  # another learner, another order
        page.screenshot(path=str(output_dir / "3-quiz-second-learner.png"), full_page=True)
    finally:
        context.close()

    # the key is nowhere in the learner's home (the quiz notebook only loads the questions)
    home = school.state_dir / "homes" / "learner1"
    quiz_nb = home / QUIZ_PATH
    sources = [c.source for c in nbformat.read(quiz_nb, as_version=4).cells]
    assert "Quiz('python-data', 'week1-quiz')" in sources[-1]
    for path in home.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            text = path.read_text(errors="replace")
            for marker in KEY_MARKERS:
                assert marker not in text, f"{marker} found in {path}"
            assert not re.search(r'"question":\s*\{', text), path


def answer_week1(page, skip: str = "") -> None:
    """The right answers to the week-1 quiz, leaving out question ``skip``."""
    q = page.locator
    steps = {
        "w1-division-type": lambda: q(
            ".nbcampus-question-w1-division-type label", has_text="float"
        ).click(),
        "w1-return": lambda: (
            q(".nbcampus-question-w1-return label", has_text="return value").first.click(),
            q(".nbcampus-question-w1-return label", has_text="inside an").click(),
        ),
        "w1-modulo": lambda: q(".nbcampus-question-w1-modulo input").fill("2"),
        "w1-output": lambda: q(".nbcampus-question-w1-output textarea").fill("20"),
        "w1-def": lambda: q(".nbcampus-question-w1-def input").fill("def"),
    }
    for question, step in steps.items():
        if question != skip:
            step()


def test_a_quiz_confirms_warns_spends_one_attempt_and_remembers(school, browser, output_dir):  # noqa: F811
    """Issue 17's quiz defects: the title once, code in a code font, a warning for unanswered
    questions and a confirmation, a double click spends one attempt, the answers and score are
    there after a reload, and Submit is off once no attempt is left (after a reload too)."""
    name = f"quiz-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    r = school.api(token, "POST", "courses/python-data/enrolments", json={})
    assert r.status_code in (200, 201), r.text
    context, page = log_in(browser, school, name, PASSWORD)
    q = page.locator
    try:
        open_quiz(page, school, name)
        # the notebook's heading names the quiz, once
        expect(q("h1, h2, h3", has_text="Week 1 quiz")).to_have_count(1)
        code = q(".nbcampus-question-w1-output pre.nbcampus-code")
        assert "mono" in code.evaluate("e => getComputedStyle(e).fontFamily").lower()
        answer_week1(page, skip="w1-def")
        q(".nbcampus-quiz-submit").click()
        confirmation = q(".nbcampus-quiz-confirmation")
        expect(confirmation).to_be_visible(timeout=30_000)
        expect(confirmation).to_contain_text("1 question is unanswered")
        expect(confirmation).to_contain_text("Submitting uses attempt 1 of 3")
        page.screenshot(path=str(output_dir / "1-unanswered-warning.png"), full_page=True)
        q(".nbcampus-quiz-back").click()
        expect(confirmation).to_be_hidden(timeout=30_000)
        q(".nbcampus-question-w1-def input").fill("def")
        q(".nbcampus-quiz-submit").click()
        expect(confirmation).to_be_visible(timeout=30_000)
        expect(confirmation).not_to_contain_text("unanswered")
        q(".nbcampus-quiz-confirm").dblclick()
        expect(q(".nbcampus-score")).to_have_text("Score: 6 / 6", timeout=60_000)
        expect(q(".nbcampus-quiz-attempts")).to_contain_text("Attempts used: 1 of 3")
        r = school.api(token, "GET", "courses/python-data/quizzes/week1-quiz")
        assert [a["score"] for a in r.json()["attempts"]] == [6]  # one attempt spent, not two

        page.reload()
        q(".nbcampus-quiz").wait_for(timeout=120_000)
        expect(q(".nbcampus-best")).to_have_text("Best score so far: 6 / 6", timeout=30_000)
        expect(q(".nbcampus-question-w1-modulo input")).to_have_value("2")
        expect(q(".nbcampus-question-w1-division-type input:checked")).to_have_count(1)
        expect(q(".nbcampus-question-w1-modulo", has_text="Correct")).to_have_count(1)
        expect(q(".nbcampus-quiz-submit")).to_be_enabled()
        page.screenshot(path=str(output_dir / "2-after-reload.png"), full_page=True)

        for _ in range(2):  # the other two attempts, spent elsewhere
            r = school.api(
                token,
                "POST",
                "courses/python-data/quizzes/week1-quiz/attempts",
                json={"answers": {}},
            )
            assert r.status_code == 201, r.text
        page.reload()
        q(".nbcampus-quiz").wait_for(timeout=120_000)
        submit = q(".nbcampus-quiz-submit")
        expect(submit).to_be_disabled(timeout=30_000)
        expect(submit).to_have_text("No attempts left")
        expect(q(".nbcampus-quiz-attempts")).to_contain_text("Attempts used: 3 of 3")
        expect(q(".nbcampus-best")).to_have_text("Best score so far: 6 / 6")
        page.screenshot(path=str(output_dir / "3-no-attempts-left.png"), full_page=True)
    finally:
        context.close()


def test_instructor_dashboard_renders_with_plots(school, browser, output_dir):  # noqa: F811
    context, page = login(browser, school, "instructor")
    try:
        page.goto(f"{school.url}services/nbcampus/courses/python-data/dashboard")
        page.locator("h1", has_text="Python for Data Work").wait_for(timeout=60_000)
        assert page.locator("#enrolment .plot svg").count() == 1
        assert page.locator("section h2").all_inner_texts()[:2] == [
            "Enrolment over time",
            "Activity over time",
        ]
        page.screenshot(path=str(output_dir / "dashboard.png"), full_page=True)
        href = page.locator("#enrolment a.csv").get_attribute("href")
        csv = context.request.get(school.url.rstrip("/") + href)
        assert csv.ok and csv.text().splitlines()[0] == "day,new,total"
    finally:
        context.close()
    # a learner is refused the page and the data
    context, page = login(browser, school, "learner1")
    try:
        r = page.goto(f"{school.url}services/nbcampus/courses/python-data/dashboard")
        assert r.status == 403
    finally:
        context.close()
