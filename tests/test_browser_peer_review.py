"""Peer review in a real browser (Playwright + Debian chromium) against the demo school.

Three new learners of the algorithms circle (a SOOC) submit the peer-reviewed essay through
their own servers, as the Courses panel does. In the browser, each practises on the course's
calibration example until their assessment agrees with the staff's, then asks for work twice
and reviews it with the rubric beside the anonymous notebook. Each then sees a peer grade with the
reviews they received. The instructor overrides one grade from the staff queue, with a reason.
Numbered screenshots go to the test's output folder.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, Steps, log_in, open_panel, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.hub]

COURSE = "algorithms-circle"
ITEM = "search-essay"
NOTEBOOK = f"{COURSE}/{ITEM}/essay.ipynb"


def submit_essay(school, name: str, essay: str) -> None:
    """Fetch, write the essay into the notebook and submit, through the learner's server."""
    session = school.login(name, PASSWORD)
    school.start_server(session, name)
    base = f"{school.url}user/{name}/"
    headers = {"X-XSRFToken": session.cookies.get("_xsrf", path=f"/user/{name}/")}

    def call(method: str, path: str, **kwargs):
        r = session.request(method, base + path, headers=headers, timeout=120, **kwargs)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:300]}"
        return r

    call("POST", f"nbcampus/assignments/{COURSE}/{ITEM}/fetch")
    model = call("GET", f"api/contents/{NOTEBOOK}").json()
    for cell in model["content"]["cells"]:
        if (cell["metadata"].get("nbgrader") or {}).get("grade_id") == "essay":
            cell["source"] = essay
    call("PUT", f"api/contents/{NOTEBOOK}", json={"type": "notebook", "content": model["content"]})
    call("POST", f"nbcampus/assignments/{COURSE}/{ITEM}/submit")


def peer_item(panel):
    item = panel.locator(f'.nbc-course[data-course="{COURSE}"] .nbc-peer-item[data-item="{ITEM}"]')
    item.wait_for(timeout=60_000)
    return item


#: the staff's levels for the course's one calibration example (clarity, evidence, reasoning)
REFERENCE = {"clarity": 1, "evidence": 0, "reasoning": 0}


def choose(view, levels: dict[str, int]) -> None:
    for criterion, level in levels.items():
        view.locator(f'.nbc-criterion[data-criterion="{criterion}"] .nbc-level').nth(level).check()


def calibrate(view, steps, page, first: bool) -> None:
    """Practise on the example until the assessment agrees with the staff's (the first learner
    tries too generous levels first), then go on to a peer's work."""
    expect(view).to_have_attribute("data-state", "calibrating", timeout=30_000)
    expect(view.locator(".nbc-calibration-answer")).to_contain_text("always sort")
    if first:
        choose(view, {"clarity": 2, "evidence": 2, "reasoning": 1})
        view.locator(".nbc-calibration-check").click()
        expect(view).to_have_attribute("data-state", "calibration-retry", timeout=30_000)
        verdict = view.locator('.nbc-verdict[data-criterion="evidence"]')
        expect(verdict).to_contain_text("too high")
        # the staff's levels are not shown before the example is passed
        expect(view.locator(".nbc-calibration-reference")).to_have_count(0)
        steps.shot(page, "calibration-not-yet")
    choose(view, REFERENCE)
    view.locator(".nbc-calibration-check").click()
    expect(view).to_have_attribute("data-state", "calibration-passed", timeout=30_000)
    expect(view.locator(".nbc-calibration-explanation")).to_contain_text("trade-off")
    view.locator(".nbc-calibration-feedback .nbc-peer-allocate").click()  # "Review a peer"


def review_twice(page, panel, steps, name: str, first: bool) -> None:
    """Calibrate, then ask for work and review it, twice, choosing levels and a comment."""
    peer_item(panel).locator(".nbc-peer-open").click()
    view = page.locator(f'.nbc-peer[data-item="{ITEM}"]')
    calibrate(view, steps, page, first)
    for n in range(2):
        if n:
            view.locator(".nbc-peer-done").wait_for(timeout=30_000)
            view.locator(".nbc-peer-body .nbc-peer-allocate").click()  # "Review another"
        form = view.locator(".nbc-peer-form")
        form.wait_for(timeout=30_000)
        frame = view.frame_locator(".nbc-peer-notebook")
        # the work as its author wrote it, without their name
        expect(frame.locator("body")).to_contain_text("binary search", timeout=30_000)
        assert name not in view.inner_text() + frame.locator("body").inner_text()
        if n == 0:
            # a level is needed for every criterion
            view.locator(".nbc-peer-send").click()
            expect(view.locator(".nbc-message-error")).to_contain_text("Choose a level")
        for criterion in ("clarity", "evidence", "reasoning"):
            view.locator(f'.nbc-criterion[data-criterion="{criterion}"] .nbc-level').last.check()
        view.locator(".nbc-review-comment").fill(
            "Clear measurements; say **why** sorting pays off."
        )
        if n == 0:
            steps.shot(page, f"{name}-reviews")
        view.locator(".nbc-peer-send").click()
        expect(view.locator(".nbc-message")).to_contain_text(
            f"{n + 1} of 2 reviews given", timeout=30_000
        )


def test_three_learners_review_two_each_see_a_grade_and_staff_override(school, browser, output_dir):  # noqa: F811
    steps = Steps(output_dir)
    names = [f"peer-{uuid.uuid4().hex[:5]}-{x}" for x in "abc"]
    admin = school.token("admin")
    for i, name in enumerate(names):
        sign_up(school, name)
        token = school.user_token(name, admin)
        r = school.api(token, "POST", f"courses/{COURSE}/enrolments", json={})
        assert r.status_code in (200, 201), r.text
        submit_essay(school, name, f"Essay {i}: binary search pays off once the list is sorted.")

    contexts = []
    try:
        pages = {}
        for name in names:
            context, page = log_in(browser, school, name, PASSWORD)
            contexts.append(context)
            panel = open_panel(page)
            item = peer_item(panel)
            expect(item.locator(".nbc-peer-standing")).to_contain_text("Reviews given 0 / 2")
            review_twice(page, panel, steps, name, first=name == names[0])
            pages[name] = (page, panel)
        # everyone gave two reviews and got two: each sees a grade and the reviews, anonymous
        for page, _ in pages.values():
            view = page.locator(f'.nbc-peer[data-item="{ITEM}"]')
            view.locator(".nbc-peer-received").click()
            expect(view.locator(".nbc-peer-grade")).to_contain_text(
                "Peer grade 6 / 6", timeout=30_000
            )
            expect(view.locator(".nbc-peer-review")).to_have_count(2)
            text = view.inner_text()
            assert not any(other in text for other in names), text
            expect(view.locator(".nbc-peer-review strong").first).to_have_text("Reviewer 1")
            expect(view.locator(".nbc-peer-review .nbc-post-body strong").first).to_have_text("why")
        steps.shot(pages[names[0]][0], "a-learner-sees-the-grade")
    finally:
        for context in contexts:
            context.close()

    # the instructor overrides one grade, with a reason, from the staff queue
    context, page = log_in(browser, school, "instructor")
    try:
        panel = open_panel(page)
        teach = panel.locator(f'.nbc-teach[data-course="{COURSE}"]')
        teach.locator(".nbc-peer-queue-open").click()
        view = page.locator(f'.nbc-peer[data-item="{ITEM}"]')
        view.locator(".nbc-override").wait_for(timeout=30_000)
        view.locator(".nbc-override-user").fill(names[0])
        view.locator(".nbc-override-score").fill("4.5")
        view.locator(".nbc-override-reason").fill("a second reading by the instructor")
        view.locator(".nbc-override").click()
        expect(view.locator(".nbc-message")).to_contain_text("is now 4.5", timeout=30_000)
        steps.shot(page, "staff-override")
    finally:
        context.close()
    token = school.user_token(names[0], admin)
    r = school.api(token, "GET", f"courses/{COURSE}/peer-reviews/{ITEM}/received")
    assert r.status_code == 200, r.text
    assert r.json()["grade"]["score"] == 4.5
