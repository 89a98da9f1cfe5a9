"""JupyterLab on a phone (issue 17): at 390x844 the Courses panel is a full-width view instead
of squeezing the notebook beside it (no sidebars; one document at a time), and opening a lesson
from it shows the notebook full width (screenshots in test-output/)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, log_in, sign_up

pytestmark = [pytest.mark.hub, pytest.mark.browser]

COURSE = "python-data"
PHONE = {"width": 390, "height": 844}


def width(locator) -> float:
    return locator.evaluate("e => e.getBoundingClientRect().width")


def test_the_courses_panel_fills_a_phone_and_the_lesson_opens_full_width(
    school,
    browser,  # noqa: F811
    output_dir,
):
    name = f"phone-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    token = school.user_token(name, school.token("admin"))
    assert school.api(token, "POST", f"courses/{COURSE}/enrolments", json={}).status_code in (
        200,
        201,
    )
    context, page = log_in(browser, school, name, PASSWORD, viewport=PHONE, is_mobile=True)
    try:
        panel = page.locator("#nbcampus-courses")  # no sidebar to open it from: it is the view
        course = panel.locator(f'.nbc-course[data-course="{COURSE}"]')
        course.wait_for(timeout=60_000)
        page.screenshot(path=str(output_dir / "panel-on-a-phone.png"))
        assert width(panel) >= 0.9 * PHONE["width"], width(panel)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        course.locator(".nbc-lesson", has_text="Values, variables").locator(".nbc-open").click()
        notebook = page.locator(".jp-NotebookPanel:visible")
        expect(notebook).to_have_count(1, timeout=120_000)
        heading = notebook.locator(".jp-MarkdownCell", has_text="Values and types")
        expect(heading).to_be_visible(timeout=120_000)
        assert width(heading) >= 0.8 * PHONE["width"], width(heading)
        page.screenshot(path=str(output_dir / "lesson-on-a-phone.png"))
        assert width(notebook) >= 0.9 * PHONE["width"], width(notebook)
    finally:
        context.close()
