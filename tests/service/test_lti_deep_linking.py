"""Deep linking from the emulated platform (SQLite and PostgreSQL): an instructor picks an
exercise, lesson or quiz; the platform receives a signed resource link; a learner launching it
lands on that item."""

from __future__ import annotations

import requests

from tests.lti.platform import INSTRUCTOR, LEARNER, PendingLaunch, forms, launch
from tests.service.test_lti_launch import lms, refused, ticket_claims  # noqa: F401

DL = "LtiDeepLinkingRequest"
ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def pick(browser: requests.Session, page: str, choice: str) -> requests.Response:
    ((action, fields),) = forms(page)
    return browser.post(action, data={**fields, "choice": choice}, timeout=30)


def test_instructor_picks_an_exercise_and_learners_land_on_it(lms):  # noqa: F811
    tool, platform = lms
    browser = requests.Session()
    page = launch(
        browser, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "math-101", DL)
    )
    assert page.status_code == 200 and "Add an nbcampus item" in page.text
    for choice in (
        "course:open-mooc",
        "module:week1",
        "lesson:lessons/lesson1.ipynb",
        "exercise:ex1",
        "quiz:week1-quiz",
    ):
        assert f"value='{choice}'" in page.text
    back = pick(browser, page.text, "exercise:ex1")
    ((action, fields),) = forms(back.text)
    assert action == f"{platform.issuer}/deep-link-return"
    assert browser.post(action, data=fields, timeout=30).status_code == 200
    [response] = platform.deep_link_responses
    assert (
        response["https://purl.imsglobal.org/spec/lti/claim/message_type"]
        == "LtiDeepLinkingResponse"
    )
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    [item] = response[ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Exercise 1"
    assert item["url"] == tool.lti.url("lti/launch")
    # the LMS now launches the link with its custom parameters
    answer = launch(
        requests.Session(),
        platform,
        tool.login_url,
        PendingLaunch("s1", [LEARNER], "math-101", custom=item["custom"]),
    )
    assert (
        ticket_claims(tool, answer.text)["next"] == "/hub/user-redirect/nbcampus/open/open-mooc/ex1"
    )
    lesson = launch(
        requests.Session(),
        platform,
        tool.login_url,
        PendingLaunch(
            "s1",
            [LEARNER],
            "math-101",
            custom={"course": "open-mooc", "kind": "lesson", "item": "lessons/lesson1.ipynb"},
        ),
    )
    assert (
        ticket_claims(tool, lesson.text)["next"]
        == "/hub/user-redirect/lab/tree/open-mooc/lessons/lesson1.ipynb"
    )


def test_deep_linking_an_unlinked_lms_course_links_it_first(lms):  # noqa: F811
    tool, platform = lms
    browser = requests.Session()
    page = launch(
        browser, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "new-course", DL)
    )
    assert "Link this LMS course" in page.text
    ((action, fields),) = forms(page.text)
    choices = browser.post(action, data={**fields, "course": "spoc"}, timeout=30)
    assert "Add an nbcampus item" in choices.text and "value='exercise:ex1'" in choices.text


def test_only_instructors_deep_link_and_only_items_of_the_linked_course(lms):  # noqa: F811
    tool, platform = lms
    learner = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("s1", [LEARNER], "math-101", DL)
    )
    refused(learner, "only instructors add nbcampus items")
    browser = requests.Session()
    page = launch(
        browser, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "math-101", DL)
    )
    ((action, fields),) = forms(page.text)
    other = browser.post(
        action, data={**fields, "course": "spoc", "choice": "exercise:ex1"}, timeout=30
    )
    refused(other, "not linked to that course")
    missing = pick(browser, page.text, "exercise:nope")
    refused(missing, "open-mooc has no exercise 'nope'")
