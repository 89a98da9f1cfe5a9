"""LTI 1.3 launches into a real hub (tests/lti/platform.py is the LMS): a launch logs the user
into the hub and lands in their JupyterLab on the linked exercise; an LMS instructor becomes
instructor of the linked course; the hub's ticket is short-lived and accepted twice at most;
nobody signs up under an LMS account's name. The browser test launches from the LMS's page
inside an iframe."""

from __future__ import annotations

import json

import pytest
import requests
from test_browser import browser  # noqa: F401  (the chromium fixture)

from nbcampus.testing import running_campus
from tests.lti.platform import INSTRUCTOR, LEARNER, PendingLaunch, forms, launch, serving_platform

pytestmark = pytest.mark.hub

EXERCISE = {"course": "open-mooc", "kind": "exercise", "item": "ex1"}


@pytest.fixture(scope="module")
def lms_campus(tmp_path_factory):
    """(school, platform): a hub whose service trusts the emulated platform; its LMS course
    math-101 is mapped to open-mooc."""
    state = tmp_path_factory.mktemp("lti-campus")
    with serving_platform() as (platform, _):
        platforms = state / "lti-platforms.json"
        settings = platform.settings(
            courses=["spoc"], contexts={"math-101": {"course": "open-mooc"}}
        )
        platforms.write_text(json.dumps([settings]))
        env = {"NBCAMPUS_LTI_PLATFORMS": str(platforms)}
        with running_campus(state, name="lti", env_extra=env) as school:
            platform.tool_jwks_url = f"{school.url}services/nbcampus/lti/jwks.json"
            school.tool_login = f"{school.url}services/nbcampus/lti/login"
            yield school, platform


def enter(school, session: requests.Session, page: str) -> requests.Response:
    """Post the hand-over page's ticket to the hub, as its form does."""
    (action, fields), _ = forms(page)
    return session.post(
        school.url.rstrip("/") + action, data=fields, allow_redirects=False, timeout=30
    )


def test_learner_launch_logs_into_the_hub_and_lands_on_the_exercise(lms_campus):
    school, platform = lms_campus
    session = requests.Session()
    page = launch(
        session,
        platform,
        school.tool_login,
        PendingLaunch("stud", [LEARNER], "math-101", custom=EXERCISE),
    )
    assert page.status_code == 200, page.text
    entered = enter(school, session, page.text)
    assert entered.status_code == 302, entered.text
    assert entered.headers["Location"].endswith("/hub/user-redirect/nbcampus/open/open-mooc/ex1")
    home = session.get(f"{school.url}hub/home", timeout=30)
    assert home.status_code == 200 and "/hub/login" not in home.url
    username = home.text.split("/user/", 1)[1].split("/", 1)[0] if "/user/" in home.text else None
    user = requests.get(
        f"{school.url}hub/api/users",
        headers={"Authorization": f"token {school.tokens['admin']}"},
        timeout=30,
    ).json()
    [lms_user] = [u for u in user if u["name"].startswith("lti-")]
    assert username in (None, lms_user["name"])
    # the landing fetches the exercise into the workspace and opens its notebook in JupyterLab
    school.start_server(session, lms_user["name"])
    landed = session.get(school.url.rstrip("/") + entered.headers["Location"], timeout=120)
    assert landed.status_code == 200
    assert landed.url.endswith(f"/user/{lms_user['name']}/lab/tree/open-mooc/ex1/ex1.ipynb")
    # the learner is enrolled in the linked course, through the enrolment rules
    token = school.user_token(lms_user["name"], school.tokens["admin"])
    mine = school.api(token, "GET", "me/enrolments").json()
    assert [e["course"] for e in mine["enrolments"]] == ["open-mooc"]


def test_lms_instructor_becomes_instructor_of_the_linked_course_only(lms_campus):
    school, platform = lms_campus
    session = requests.Session()
    page = launch(
        session, platform, school.tool_login, PendingLaunch("prof", [INSTRUCTOR], "math-101")
    )
    assert enter(school, session, page.text).status_code == 302
    admin = {"Authorization": f"token {school.tokens['admin']}"}
    users = requests.get(f"{school.url}hub/api/users", headers=admin, timeout=30).json()
    names = {u["name"]: u for u in users}
    [prof] = [u for u in users if u["name"].startswith("lti-") and u["groups"]]
    assert prof["groups"] == ["nbcampus-lti-instructor-open-mooc"]
    token = school.user_token(prof["name"], school.tokens["admin"])
    assert school.api(token, "GET", "courses/open-mooc/enrolments").status_code == 200
    assert school.api(token, "GET", "courses/spoc/enrolments").status_code == 403
    # the same LMS user a learner next term: no longer instructor
    again = requests.Session()
    page = launch(again, platform, school.tool_login, PendingLaunch("prof", [LEARNER], "math-101"))
    assert enter(school, again, page.text).status_code == 302
    user = requests.get(f"{school.url}hub/api/users/{prof['name']}", headers=admin, timeout=30)
    assert user.json()["groups"] == []
    # (a new token: the service keeps what the hub said of a token for a minute)
    token = school.user_token(prof["name"], school.tokens["admin"])
    assert school.api(token, "GET", "courses/open-mooc/enrolments").status_code == 403
    learners = [n for n, u in names.items() if n.startswith("lti-") and not u["groups"]]
    for learner in learners:
        other = school.user_token(learner, school.tokens["admin"])
        assert school.api(other, "GET", "courses/open-mooc/enrolments").status_code == 403


def test_hub_ticket_is_accepted_twice_at_most_and_never_forged(lms_campus):
    school, platform = lms_campus
    page = launch(
        requests.Session(),
        platform,
        school.tool_login,
        PendingLaunch("twice", [LEARNER], "math-101"),
    )
    # once in the LMS frame, once more from "open in a new window"; then no more
    assert enter(school, requests.Session(), page.text).status_code == 302
    assert enter(school, requests.Session(), page.text).status_code == 302
    third = enter(school, requests.Session(), page.text)
    assert third.status_code == 403 and "used already" in third.text
    # a ticket not signed by the tool
    forged = requests.post(
        f"{school.url}hub/lti13/enter", data={"ticket": "a.b.c"}, allow_redirects=False, timeout=30
    )
    assert forged.status_code in (400, 403)


def test_nobody_signs_up_under_an_lms_accounts_name(lms_campus):
    school, _ = lms_campus
    _, answer = school.sign_up("lti-0123456789ab", "a-long-enough-password-1")
    assert answer.status_code != 302


@pytest.mark.browser
def test_launch_inside_the_lms_iframe_lands_in_jupyterlab_on_the_exercise(
    lms_campus,
    browser,  # noqa: F811
    output_dir,
):
    school, platform = lms_campus
    login = platform.login_url(
        school.tool_login, PendingLaunch("framed", [LEARNER], "math-101", custom=EXERCISE)
    )
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    try:
        page.goto(f"{platform.issuer}/course?" + requests.compat.urlencode({"src": login}))
        frame = page.frame_locator("#tool")
        tab = frame.locator(".lm-TabBar-tab", has_text="ex1.ipynb")
        tab.wait_for(timeout=180_000)
        frame.locator(".jp-NotebookPanel .jp-RenderedMarkdown", has_text="Write").first.wait_for(
            timeout=60_000
        )
        page.screenshot(path=str(output_dir / "lms-iframe-exercise.png"))
        assert page.url.startswith(platform.issuer)  # still the LMS's page: it ran in the frame
    except Exception:
        page.screenshot(path=str(output_dir / "failure.png"))
        raise
    finally:
        page.close()
