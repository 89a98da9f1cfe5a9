"""A learner in a real browser: Playwright drives Debian's chromium against the demo school."""

from __future__ import annotations

import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.hub]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium ('sudo apt-get install chromium')"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_learner_logs_in_and_opens_week1_lesson(school, browser, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{school.url}hub/login")
        page.fill("#username_input", "learner3")
        page.fill("#password_input", school.passwords["learner3"])
        page.click("#login_submit")
        page.wait_for_url("**/user/learner3/lab**", timeout=120_000)

        # JupyterLab lands on the Courses panel (not an empty file browser), whatever the
        # learner's saved workspace had open; then the file browser is one click away
        page.locator("body[data-nbcampus-landed]").wait_for(state="attached", timeout=120_000)
        page.locator("#nbcampus-courses .nbc-card").first.wait_for(timeout=120_000)
        assert not page.locator("#filebrowser").is_visible()
        page.locator('.jp-SideBar [data-id="filebrowser"]').click()
        page.locator("#filebrowser").wait_for(timeout=30_000)
        browser_items = page.locator(".jp-DirListing-item")
        course = browser_items.filter(has_text="python-data")
        course.wait_for(timeout=60_000)
        page.screenshot(path=str(output_dir / "1-lab-home.png"))
        course.dblclick()
        browser_items.filter(has_text="lessons").dblclick()
        lesson = browser_items.filter(has_text="week1-python-basics.ipynb")
        lesson.wait_for(timeout=30_000)
        lesson.dblclick()

        notebook = page.locator(".jp-NotebookPanel").first
        notebook.wait_for(timeout=60_000)
        tab = page.locator(".lm-TabBar-tab", has_text="week1-python-basics.ipynb")
        tab.wait_for(timeout=30_000)
        heading = page.locator(".jp-NotebookPanel .jp-RenderedMarkdown h1", has_text="Week 1")
        heading.wait_for(timeout=60_000)
        assert "Values, variables and functions" in heading.inner_text()
        # a code cell with its stored output: the lesson arrived whole
        output = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text="<class 'int'>")
        output.first.wait_for(timeout=30_000)
        # once the kernel is up and JupyterLab has written its description into the notebook's
        # metadata, a lesson only looked at is still unmodified (it used to turn modified here)
        notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=60_000
        )
        page.locator(".jp-NotebookPanel[data-nbc-kernel-info='python3']").wait_for(timeout=60_000)
        assert "jp-mod-dirty" not in (tab.get_attribute("class") or "")
        page.screenshot(path=str(output_dir / "2-week1-lesson.png"))
    except Exception:
        page.screenshot(path=str(output_dir / "failure.png"))
        raise
    finally:
        page.close()
