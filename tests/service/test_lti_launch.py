"""LTI 1.3 launches from the emulated platform (tests/lti/platform.py) into the service's real
LTI pages and database (SQLite and PostgreSQL): good launches of a learner and an instructor,
and every spoiled launch refused with a clear page and nothing written."""

from __future__ import annotations

import html
import json
import time

import pytest
import requests
from jwcrypto import jwk, jwt
from sqlalchemy import func, select

from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.enrolment.api import Enrolment, is_enrolled
from nbcampus.school.lti.api import LtiContext, LtiMember, staff_group
from nbcampus.school.publishing.catalog import publish_course
from tests.lti.platform import CLAIM, INSTRUCTOR, LEARNER, TA, PendingLaunch, forms, launch
from tests.lti.tool import serving_tool

SPOC = {"rule": "invite", "invite_codes": ["SECRET"], "seat_cap": 2, "waitlist": False}


@pytest.fixture
def lms(database, make_course, tmp_path):
    """(tool, platform) with a SPOC (2 seats) that the platform's instructors may link, and
    an LMS course 'math-101' the admin mapped to open-mooc."""
    with database.session() as session:
        publish_course(session, load_course(make_course("spoc", fmt="spoc", enrolment=SPOC)))
        publish_course(session, load_course(make_course("open-mooc")))
    extra = {"courses": ["spoc"], "contexts": {"math-101": {"course": "open-mooc"}}}
    with serving_tool(database, tmp_path, extra) as pair:
        yield pair


def ticket_claims(tool, page: str) -> dict:
    """The hub ticket the tool's hand-over page carries, checked with the tool's JWKS."""
    (action, fields), (action2, fields2) = forms(page)
    assert action == action2 == "/hub/lti13/enter" and fields == fields2
    keys = jwk.JWKSet.from_json(requests.get(tool.lti.url("lti/jwks.json"), timeout=10).text)
    token = jwt.JWT(jwt=fields["ticket"], key=keys, algs=["RS256"])
    return json.loads(token.claims)


def refused(response, words: str) -> None:
    assert response.status_code >= 400, response.text
    assert "This launch was refused" in response.text
    assert words in html.unescape(response.text), response.text


def test_learner_launch_from_a_mapped_course_enrols_and_hands_over_to_the_hub(lms, database):
    tool, platform = lms
    answer = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("s1", [LEARNER], "math-101")
    )
    assert answer.status_code == 200, answer.text
    # the page works in an LMS frame: no X-Frame-Options, a script allowed by nonce only
    assert "X-Frame-Options" not in answer.headers
    assert "script-src 'nonce-" in answer.headers["Content-Security-Policy"]
    assert "Open in a new window" in answer.text
    claims = ticket_claims(tool, answer.text)
    username = claims["sub"]
    assert username.startswith("lti-") and claims["groups"] == []
    assert claims["aud"] == "jupyterhub" and claims["exp"] - time.time() <= 120
    with database.session() as session:
        assert is_enrolled(session, "open-mooc", username)
        member = session.scalar(select(LtiMember).where(LtiMember.username == username))
        assert member.role == "learner" and member.subject == "s1"
    # the same LMS user launching again is the same account, enrolled once
    again = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("s1", [LEARNER], "math-101")
    )
    assert ticket_claims(tool, again.text)["sub"] == username
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_instructor_links_the_lms_course_at_first_launch_then_learners_join_its_cohort(
    lms, database
):
    tool, platform = lms
    # a learner before the link: told to wait for the instructor
    early = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("s1", [LEARNER], "bio-7")
    )
    refused(early, "not linked to an nbcampus course yet")
    browser = requests.Session()
    page = launch(browser, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "bio-7"))
    assert page.status_code == 200 and "Link this LMS course" in page.text
    # only the courses the platform may link are offered
    assert "value='spoc'" in page.text and "value='open-mooc'" not in page.text
    ((action, fields),) = forms(page.text)
    linked = browser.post(
        action, data={**fields, "course": "spoc", "cohort": "self-paced"}, timeout=30
    )
    claims = ticket_claims(tool, linked.text)
    assert claims["groups"] == [staff_group("instructor", "spoc")]
    with database.session() as session:
        context = session.scalar(select(LtiContext).where(LtiContext.context_id == "bio-7"))
        assert (context.course_id, context.cohort) == ("spoc", "self-paced")
        assert context.lineitems_url.endswith("/contexts/bio-7/lineitems")
        # instructors are staff, not learners
        assert not is_enrolled(session, "spoc", claims["sub"])
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.linked"))
    # a linked SPOC admits the LMS's learners without invite codes, up to its seat cap
    for learner in ("s1", "s2"):
        ok = launch(
            requests.Session(), platform, tool.login_url, PendingLaunch(learner, [LEARNER], "bio-7")
        )
        assert ok.status_code == 200, ok.text
    full = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("s3", [LEARNER], "bio-7")
    )
    assert full.status_code == 409
    refused(full, "is full (2 seats)")
    # a TA is the course's TA
    ta = launch(
        requests.Session(), platform, tool.login_url, PendingLaunch("helper", [TA], "bio-7")
    )
    assert ticket_claims(tool, ta.text)["groups"] == [staff_group("ta", "spoc")]


def test_an_lms_instructor_cannot_link_a_course_the_platform_may_not(lms):
    tool, platform = lms
    browser = requests.Session()
    page = launch(browser, platform, tool.login_url, PendingLaunch("prof", [INSTRUCTOR], "chem-1"))
    ((action, fields),) = forms(page.text)
    answer = browser.post(action, data={**fields, "course": "open-mooc"}, timeout=30)
    refused(answer, "may not link its courses to 'open-mooc'")


@pytest.mark.parametrize(
    "spoil, words",
    [
        ({"claims": {"aud": "someone-else"}}, "not this tool"),
        ({"claims": {"exp": int(time.time()) - 3600}}, "has expired"),
        ({"claims": {CLAIM + "deployment_id": "dep-9"}}, "deployment 'dep-9'"),
        ({"claims": {CLAIM + "version": "1.1"}}, "is not 1.3.0"),
        ({"claims": {CLAIM + "message_type": "LtiSubmissionReviewRequest"}}, "message type"),
        ({"claims": {"aud": ["nbcampus-tool", "other"]}}, "authorised party"),
        ({"claims": {"iss": "https://evil.example"}}, "another platform"),
        ({"claims": {"iat": int(time.time()) + 3600}}, "in the future"),
        ({"sign_with": "forger"}, "signature does not verify"),
    ],
)
def test_spoiled_launches_are_refused_with_a_clear_page(lms, database, spoil, words):
    tool, platform = lms
    if spoil.get("sign_with"):
        spoil = {"sign_with": jwk.JWK.generate(kty="RSA", size=2048, kid="platform-key-1")}
    pending = PendingLaunch("s1", [LEARNER], "math-101", **spoil)
    refused(launch(requests.Session(), platform, tool.login_url, pending), words)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_a_replayed_launch_is_refused(lms, database):
    tool, platform = lms
    browser = requests.Session()
    first = launch(browser, platform, tool.login_url, PendingLaunch("s1", [LEARNER], "math-101"))
    assert first.status_code == 200
    token = platform.last_id_token
    state = forms(first.text)  # noqa: F841 - the page itself is not replayed
    launch_url = tool.lti.url("lti/launch")
    # the same id_token and state again
    login_state = _last_state(database)
    replay = requests.post(launch_url, data={"id_token": token, "state": login_state}, timeout=30)
    refused(replay, "already used")
    # the same id_token with a fresh login's state: its nonce is not that login's
    fresh = requests.get(
        platform.login_url(tool.login_url, PendingLaunch("s1", [LEARNER], "math-101")),
        allow_redirects=False,
        timeout=30,
    )
    new_state = dict(
        p.split("=", 1) for p in fresh.headers["Location"].split("?", 1)[1].split("&")
    )["state"]
    replay = requests.post(launch_url, data={"id_token": token, "state": new_state}, timeout=30)
    refused(replay, "nonce does not match")
    # unknown state, no id_token, unknown platform
    refused(
        requests.post(launch_url, data={"id_token": token, "state": "nope"}, timeout=30),
        "state is unknown",
    )
    refused(requests.post(launch_url, data={"state": "nope"}, timeout=30), "no id_token")
    other = requests.get(
        tool.login_url, params={"iss": "https://unknown.example", "login_hint": "x"}, timeout=30
    )
    refused(other, "is not registered with this school")


def _last_state(database) -> str:
    from nbcampus.school.lti.models import LtiLogin

    with database.session() as session:
        return session.scalar(select(LtiLogin.state).where(LtiLogin.used_at.is_not(None)))


def test_configuration_page_and_jwks(lms):
    tool, _ = lms
    page = requests.get(tool.lti.url("lti/config"), timeout=10)
    assert page.status_code == 200
    for path in ("lti/login", "lti/launch", "lti/jwks.json"):
        assert tool.lti.url(path) in page.text
    keys = requests.get(tool.lti.url("lti/jwks.json"), timeout=10).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0] and keys[0]["kid"]


def test_migration_0016_goes_down_and_up_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade

    def tables():
        engine = create_engine(database_url)
        try:
            return {t for t in inspect(engine).get_table_names() if t.startswith("lti_")}
        finally:
            engine.dispose()

    upgrade(database_url)
    assert len(tables()) == 7
    command.downgrade(alembic_config(database_url), "0017")
    assert tables() == set()
    upgrade(database_url)
    assert len(tables()) == 7


def test_a_login_for_another_tools_target_is_refused(lms):
    tool, platform = lms
    answer = requests.get(
        tool.login_url,
        params={
            "iss": platform.issuer,
            "login_hint": "s1",
            "target_link_uri": "https://evil.example/launch",
        },
        timeout=30,
    )
    refused(answer, "is not one of this tool's")
