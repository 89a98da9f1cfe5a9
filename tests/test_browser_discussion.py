"""Course discussions in a real browser (Playwright + Debian chromium) against the demo school.

A SPOC learner asks about a cell of the week-1 exercise from the cell's context menu; the
course's mentor finds it among the unanswered questions, sees the cell as the learner saw it and
answers with a code block; the learner sees the answer (an unread badge first) and accepts it.
A learner of the SPOC's other cohort does not see the thread, and a private question is seen by
the staff only. Numbered screenshots go to the test's output folder.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)
from test_browser_courses import PASSWORD, Steps, log_in, open_panel, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.hub]

COURSE = "testing-spoc"
EXECUTED = re.compile(r"\[\d+\]")
EXERCISE = "Code that passes its tests"
ANSWER = (
    "Your function still raises. Replace the `raise` with the rule, for example:\n\n"
    "```python\nreturn year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n```\n"
)


#: what a hostile learner might write: it must stay text wherever a post is shown
HOSTILE = (
    '<img src=x onerror="window.nbcPwned=1"> <script>window.nbcPwned=2</script> '
    "[a link](javascript:window.nbcPwned=3)"
)


def inert(page, view) -> None:
    """The hostile markup of the question did nothing and left no live element."""
    assert page.evaluate("window.nbcPwned") is None
    body = view.locator(".nbc-post.nbc-depth-0 .nbc-post-body")
    expect(body).to_contain_text("What is missing?")
    assert body.locator("img, script, [onerror]").count() == 0
    assert view.locator('a[href^="javascript"]').count() == 0


@pytest.fixture
def other_cohort(school):
    """A new learner enrolled by the instructor in the SPOC's next run: another cohort (a new
    account, so no demo learner's home gains the SPOC's folder)."""
    name = f"next-{uuid.uuid4().hex[:6]}"
    sign_up(school, name)
    instructor = school.token("instructor")
    r = school.api(
        instructor,
        "POST",
        f"courses/{COURSE}/enrolments",
        json={"username": name, "reason": "discussion test: another cohort"},
    )
    assert r.status_code in (200, 201), r.text
    r = school.api(
        instructor,
        "PATCH",
        f"courses/{COURSE}/enrolments/{name}",
        json={"cohort": "next", "reason": "joins the next run"},
    )
    assert r.status_code == 200, r.text
    yield name
    school.api(
        instructor,
        "DELETE",
        f"courses/{COURSE}/enrolments/{name}",
        params={"reason": "discussion test done"},
    )


def discussion_of(page, panel, card_class: str):
    """Open the course's Discussion tab from its card; the view once its list is drawn."""
    card = panel.locator(f'{card_class}[data-course="{COURSE}"]')
    card.locator(".nbc-discussion-open").click()
    view = page.locator(f'.nbc-discussion[data-course="{COURSE}"]')
    view.locator(".nbc-thread-count").wait_for(timeout=30_000)
    return view


def test_ask_about_a_cell_answer_accept_and_who_sees_what(
    school,
    browser,  # noqa: F811
    output_dir,
    other_cohort,
):
    steps = Steps(output_dir)
    title = f"Why does test_leap fail? {uuid.uuid4().hex[:6]}"
    private_title = f"Can I hand in late? {uuid.uuid4().hex[:6]}"
    news = f"Office hours move to Thursday {uuid.uuid4().hex[:6]}"
    session_title = f"Office hours {uuid.uuid4().hex[:6]}"
    # the instructor tells the current cohort something
    r = school.api(
        school.token("instructor"),
        "POST",
        f"courses/{COURSE}/announcements",
        json={"title": news, "body": "Same link as usual.", "cohort": "current"},
    )
    assert r.status_code == 201, r.text
    learner, page = log_in(browser, school, "learner1")
    mentor = None
    try:
        # the learner runs the exercise's test cell and asks about it from its context menu
        panel = open_panel(page)
        course = panel.locator(f'.nbc-course[data-course="{COURSE}"]')
        exercise = course.locator(f'.nbc-exercise[data-title="{EXERCISE}"]')
        exercise.wait_for(timeout=60_000)
        # the announcement is at the top of the course
        expect(course.locator(".nbc-announcement").first).to_contain_text(news)
        if exercise.locator(".nbc-fetch").count():
            exercise.locator(".nbc-fetch").click()
        else:
            exercise.locator(".nbc-open").click()
        notebook = page.locator(".jp-NotebookPanel:visible")
        solution = notebook.locator(".jp-CodeCell", has_text="def is_leap_year").first
        test_cell = notebook.locator(".jp-CodeCell", has_text="assert is_leap_year(2024)").first
        test_cell.wait_for(timeout=60_000)
        # run the two cells once the kernel is up (a cell run before would not be queued)
        notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=120_000
        )
        page.locator(".jp-NotebookPanel[data-nbc-kernel-info='python3']").wait_for(timeout=60_000)
        for cell in (solution, test_cell):
            cell.locator(".jp-InputArea-prompt").click()
            notebook.locator(
                '.jp-Toolbar [data-command="notebook:run-cell-and-select-next"]'
            ).click()
            # run: the prompt shows its execution count
            expect(cell.locator(".jp-InputPrompt")).to_have_text(EXECUTED, timeout=60_000)
        test_cell.locator(".jp-OutputArea-output", has_text="NotImplementedError").wait_for(
            timeout=120_000
        )
        source = test_cell.locator(".jp-InputArea-editor").inner_text()
        test_cell.locator(".jp-InputArea-prompt").click(button="right")
        page.locator(".lm-Menu-item", has_text="Ask about this cell").click()
        view = page.locator(f'.nbc-discussion[data-course="{COURSE}"]')
        compose = view.locator(".nbc-compose-title")
        compose.wait_for(timeout=30_000)
        snapshot = view.locator(".nbc-cell-snapshot")
        expect(snapshot).to_contain_text("NotImplementedError")
        view.locator(".nbc-compose-title").fill(title)
        view.locator(".nbc-compose-body").fill(
            "My test cell fails with this error. What is missing?"
        )
        view.locator(".nbc-preview-button").click()
        expect(view.locator(".nbc-preview")).to_contain_text("What is missing?")
        steps.shot(page, "learner-asks-about-a-cell")
        view.locator(".nbc-post-button").click()
        heading = view.locator(".nbc-thread-heading")
        expect(heading).to_have_text(title, timeout=30_000)
        thread_id = int(view.get_attribute("data-thread"))
        inert(page, view)
        steps.shot(page, "question-posted")

        # and a private question to the staff, from the list
        view.locator(".nbc-back").click()
        view.locator(".nbc-new-question").click()
        view.locator(".nbc-compose-title").fill(private_title)
        view.locator(".nbc-compose-body").fill("I am away next week: may I submit later?")
        view.locator(".nbc-compose-private").check()
        view.locator(".nbc-post-button").click()
        expect(view.locator(".nbc-thread-heading")).to_have_text(private_title, timeout=30_000)
        private_id = int(view.get_attribute("data-thread"))
        expect(view.locator(".nbc-meta").first).to_contain_text("private")

        # the mentor: the course under Mentoring, the question among the unanswered ones
        mentor, mpage = log_in(browser, school, "mentor")
        mpanel = open_panel(mpage)
        expect(mpanel.locator(".nbc-section", has_text="Mentoring")).to_be_visible()
        mview = discussion_of(mpage, mpanel, ".nbc-mentor")
        mview.locator(".nbc-filter-unanswered").check()
        row = mview.locator(f'.nbc-thread-row[data-thread-id="{thread_id}"]')
        row.wait_for(timeout=30_000)
        expect(row).to_contain_text("unanswered")
        steps.shot(mpage, "mentor-unanswered-queue")
        mview.locator(".nbc-private-queue").click()
        queued = mview.locator(f'.nbc-private-question[data-thread-id="{private_id}"]')
        expect(queued).to_contain_text(private_title, timeout=30_000)
        expect(queued).to_contain_text("learner1")
        steps.shot(mpage, "mentor-private-questions")
        mview.locator(".nbc-back").click()
        mview.locator(".nbc-filter-unanswered").check()
        row.locator(".nbc-thread-title").click()
        expect(mview.locator(".nbc-thread-heading")).to_have_text(title, timeout=30_000)
        # the mentor sees the cell exactly as the learner saw it: its source and its error
        shown = mview.locator(".nbc-cell-snapshot")
        expect(shown.locator(".nbc-cell-source")).to_have_text(source)
        expect(shown.locator(".nbc-error-output")).to_contain_text("NotImplementedError")
        assert "HIDDEN" not in shown.inner_text()
        inert(mpage, mview)
        mview.locator(".nbc-composer .nbc-compose-body").last.fill(ANSWER)
        mview.locator(".nbc-composer .nbc-post-button").last.click()
        reply = mview.locator('.nbc-post.nbc-depth-1[data-author="mentor"]')
        expect(reply.locator("pre code")).to_contain_text("year % 400 == 0", timeout=30_000)
        steps.shot(mpage, "mentor-answers-with-a-code-block")

        # mentors schedule live sessions; announcing is for community managers and instructors
        mview.locator(".nbc-back").click()
        tools = mview.locator(".nbc-staff-tools")
        tools.locator("summary").click()
        tools.locator(".nbc-session-title").fill(session_title)
        tools.locator(".nbc-session-start").fill("2030-01-15T17:00")
        tools.locator(".nbc-session-minutes").fill("45")
        tools.locator(".nbc-session-url").fill("https://meet.example.org/office-hours")
        tools.locator(".nbc-schedule").click()
        expect(mview.locator(".nbc-session", has_text=session_title)).to_be_visible(timeout=30_000)
        tools = mview.locator(".nbc-staff-tools")
        tools.locator("summary").click()
        tools.locator(".nbc-announce-title").fill("Mentors may not announce")
        tools.locator(".nbc-announce-body").fill("This is refused.")
        tools.locator(".nbc-announce").click()
        expect(mview.locator(".nbc-message-error")).to_contain_text("Announcement refused")
        steps.shot(mpage, "mentor-schedules-a-session")

        # the learner: an unread badge on the course, the answer, accepted
        panel.locator(".nbc-refresh").click()
        badge = course.locator(".nbc-discussion-open .nbc-unread")
        expect(badge).to_be_visible(timeout=30_000)
        assert int(badge.inner_text()) >= 1
        view = discussion_of(page, panel, ".nbc-course")
        expect(view.locator(".nbc-session", has_text=session_title)).to_be_visible()
        row = view.locator(f'.nbc-thread-row[data-thread-id="{thread_id}"]')
        expect(row.locator(".nbc-unread")).to_be_visible()
        row.locator(".nbc-thread-title").click()
        answer = view.locator('.nbc-post.nbc-depth-1[data-author="mentor"]')
        expect(answer.locator("pre code")).to_contain_text("year % 400 == 0", timeout=30_000)
        answer.locator(".nbc-accept").click()
        accepted = view.locator('.nbc-post.nbc-accepted[data-author="mentor"]')
        expect(accepted).to_contain_text("accepted answer", timeout=30_000)
        steps.shot(page, "learner-accepts-the-answer")
    except Exception:
        page.screenshot(path=str(output_dir / "failure.png"))
        raise
    finally:
        learner.close()
        if mentor:
            mentor.close()

    # a learner of the other cohort sees neither thread, in the panel nor through the API
    other, opage = log_in(browser, school, other_cohort, PASSWORD)
    try:
        opanel = open_panel(opage)
        ocourse = opanel.locator(f'.nbc-course[data-course="{COURSE}"]')
        # nor the current cohort's announcement, once the course's announcements are in
        ocourse.locator(".nbc-announcements[data-loaded='true']").wait_for(
            state="attached", timeout=30_000
        )
        assert news not in ocourse.inner_text()
        oview = discussion_of(opage, opanel, ".nbc-course")
        steps.shot(opage, "other-cohort-sees-neither")
        listed = (
            oview.locator(".nbc-threads").inner_text()
            if oview.locator(".nbc-threads").count()
            else ""
        )
        assert title not in listed and private_title not in listed
    finally:
        other.close()
    token = school.user_token(other_cohort, school.token("admin"))
    assert school.api(token, "GET", f"threads/{thread_id}").status_code == 404
    # a learner of the same cohort sees the question, never the private one
    same = school.token("learner3")
    r = school.api(same, "GET", f"courses/{COURSE}/threads", params={"limit": 200})
    assert r.status_code == 200, r.text
    titles = [t["title"] for t in r.json()["threads"]]
    assert title in titles and private_title not in titles
    assert school.api(same, "GET", f"threads/{private_id}").status_code == 404
    # the staff do see it: the instructor too
    r = school.api(school.token("instructor"), "GET", f"threads/{private_id}")
    assert r.status_code == 200 and r.json()["title"] == private_title
