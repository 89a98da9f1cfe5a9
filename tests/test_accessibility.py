"""Accessibility (issue 17): the service's pages pass axe-core (from npm, the same engine as
the browsers' audits) with no serious or critical violation, on a desktop and on a phone, for a
learner (their courses, their profile, the course home, the discussion, a video lesson) and for staff (the
dashboard and the report). Violations are listed with the rule, its help and the elements."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, log_in, open_panel, sign_up

pytestmark = [pytest.mark.hub, pytest.mark.browser]

AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
COURSE = "python-data"
SERIOUS = ("serious", "critical")


def violations(page, within: str | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page (or in the element ``within``
    selects), one line each."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async within => await axe.run(within ? document.querySelector(within) : document,"
        " {resultTypes: ['violations']})",
        within,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def audit(browser, school, username, password, paths, viewport):  # noqa: F811
    # the pages forbid inline scripts (CSP); the audit's own script is let in for the test only
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    found = {}
    try:
        page.goto(f"{school.url}hub/login")
        page.fill("#username_input", username)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_url("**/user/**", timeout=120_000)
        for path in paths:
            page.goto(f"{school.url}services/nbcampus/{path}")
            page.wait_for_load_state("load")
            problems = violations(page)
            if problems:
                found[path] = problems
    finally:
        context.close()
    return found


LEARNER_PAGES = [
    "",
    "profile",
    f"courses/{COURSE}/",
    f"courses/{COURSE}/discussion",
    f"courses/{COURSE}/watch?file=lessons/week1-intro.webm",
]


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_the_learners_pages_have_no_serious_accessibility_violation(school, browser, viewport):  # noqa: F811
    name = f"a11y-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    assert school.api(token, "POST", f"courses/{COURSE}/enrolments", json={}).status_code in (
        200,
        201,
    )
    assert audit(browser, school, name, PASSWORD, LEARNER_PAGES, viewport) == {}


def test_the_staff_pages_have_no_serious_accessibility_violation(school, browser):  # noqa: F811
    pages = [f"courses/{COURSE}/dashboard", f"courses/{COURSE}/report", f"courses/{COURSE}/nudges"]
    found = audit(
        browser,
        school,
        "instructor",
        school.passwords["instructor"],
        pages,
        {"width": 1280, "height": 900},
    )
    assert found == {}


def test_the_courses_panel_has_no_serious_accessibility_violation(school, browser):  # noqa: F811
    name = f"a11y-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    assert school.api(token, "POST", f"courses/{COURSE}/enrolments", json={}).status_code in (
        200,
        201,
    )
    context, page = log_in(browser, school, name, PASSWORD, bypass_csp=True)
    try:
        panel = open_panel(page)
        panel.locator(f'.nbc-course[data-course="{COURSE}"]').wait_for(timeout=60_000)
        # the panel is ours; JupyterLab's own shell is JupyterLab's to audit
        assert violations(page, "#nbcampus-courses") == []
    finally:
        context.close()
