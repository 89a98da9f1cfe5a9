"""Single sign-on on a real hub against the OpenID Connect provider of tests/oidc_provider.py:
people sign in through the provider (an HTTP client following the redirects), land as
themselves with their provider groups mapped to hub groups (a COOC's organisation group, a
course's instructor role), their e-mail counts as verified for the COOC's domain rule, forged
tokens and name clashes with native accounts are refused, native accounts keep working beside
SSO, and a school that turns them off refuses password logins and sign-ups."""

from __future__ import annotations

import json
import re
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from oidc_provider import OIDCProvider

from nbcampus.testing import OUTPUT_DIR, LoginFailed, School, start_hub, stop_hub, write_course
from nbcampus.testing.hub import PASSWORD

pytestmark = pytest.mark.hub

GROUP_MAP = {"acme-staff": ["acme"], "cs-teachers": ["instructor:open-mooc"], "x": ["ta:nope"]}


@contextmanager
def sso_school(state: Path, provider: OIDCProvider, native: bool, name: str):
    """A hub whose service publishes open-mooc and the COOC acme-cooc (acme.example addresses
    and the hub group acme), signing on at ``provider``; ana has a native account."""
    courses = state / "courses"
    write_course(courses, "open-mooc")
    (courses / "acme-cooc-logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    write_course(
        courses,
        "acme-cooc",
        fmt="cooc",
        enrolment={
            "rule": "organisation",
            "organisation": {
                "name": "Acme",
                "email_domains": ["acme.example"],
                "hub_groups": ["acme"],
            },
        },
        branding={"organisation": "Acme"},
    )
    if native:
        (state / "accounts.json").write_text(
            json.dumps([{"username": "ana", "password": PASSWORD}])
        )
    config = state / "service_config.py"
    config.write_text("c.CampusService.run_grader = False\n")
    env = {
        "NBCAMPUS_SERVICE_CONFIG": str(config),
        "NBCAMPUS_COURSES_DIR": str(courses),
        "NBCAMPUS_SSO_ISSUER": provider.issuer,
        "NBCAMPUS_SSO_CLIENT_ID": provider.client_id,
        "NBCAMPUS_SSO_CLIENT_SECRET": provider.client_secret,
        "NBCAMPUS_SSO_PROVIDER_NAME": "Campus ID",
        "NBCAMPUS_SSO_GROUP_MAP": json.dumps(GROUP_MAP),
        "NBCAMPUS_NATIVE_LOGIN": "1" if native else "0",
    }
    log = OUTPUT_DIR / f"{name}-hub.log"
    process, url = start_hub(state, log, env_extra=env)
    provider.redirect_uris = {f"{url}hub/oauth_callback"}
    try:
        school = School(url, state, {"ana": PASSWORD}, log)
        deadline = time.monotonic() + 90
        while school.api(None, "GET", "openapi.json").status_code != 200:
            assert time.monotonic() < deadline, f"service not up; see {log}"
            time.sleep(0.2)
        yield school
    finally:
        stop_hub(process)


def person(username: str, email: str | None, groups: list[str] = ()) -> dict:
    claims = {"sub": f"sub-{username}", "preferred_username": username, "name": username.title()}
    if email:
        claims["email"] = email
    return claims | {"groups": list(groups)}


def sso_login(
    school: School, provider: OIDCProvider, who: dict
) -> tuple[requests.Session, requests.Response]:
    """Sign in as ``who`` at the provider through the hub's button, following every redirect."""
    provider.person = who
    session = requests.Session()
    page = session.get(f"{school.url}hub/login?next=%2Fhub%2Fhome")
    button = re.search(r'id="sso-login-button"[^>]*href="([^"]+)"', page.text)
    assert button, page.text
    href = button.group(1).replace("&amp;", "&")
    return session, session.get(f"{school.url.rstrip('/')}{href}", timeout=60)


def token_of(school: School, session: requests.Session, username: str) -> str:
    r = session.post(
        f"{school.url}hub/api/users/{username}/tokens",
        json={"note": "sso test"},
        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
    )
    r.raise_for_status()
    return r.json()["token"]


def hub_user(school: School, admin_token: str, username: str) -> dict:
    r = requests.get(
        f"{school.url}hub/api/users/{username}",
        headers={"Authorization": f"token {admin_token}"},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()


@pytest.fixture(scope="module")
def provider():
    p = OIDCProvider("nbcampus-hub", uuid.uuid4().hex).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def both(provider, tmp_path_factory):
    with sso_school(tmp_path_factory.mktemp("sso-both"), provider, True, "sso-both") as school:
        yield school


def test_people_sign_on_with_their_groups_and_verified_address(both, provider):
    page = requests.get(f"{both.url}hub/login").text
    assert "Sign in with Campus ID" in page and 'name="password"' in page
    # an admin (named in admin_users) signs on too
    session, r = sso_login(both, provider, person("admin", "admin@uni.example"))
    assert r.status_code == 200 and r.url.endswith("/hub/home"), (r.status_code, r.url)
    admin = token_of(both, session, "admin")

    session, r = sso_login(
        both,
        provider,
        person("grace", "Grace@Acme.example", ["acme-staff", "cs-teachers", "unmapped"]),
    )
    assert r.status_code == 200 and r.url.endswith("/hub/home"), (r.status_code, r.url)
    model = hub_user(both, admin, "grace")
    # mapped groups only: the provider's "unmapped" group gives nothing
    assert sorted(model["groups"]) == ["acme", "nbcampus-instructor-open-mooc"]
    assert model["user_info"] == {
        "sso": provider.issuer,
        "email": "Grace@Acme.example",
        "name": "Grace",
    }
    grace = token_of(both, session, "grace")
    # the instructor role of open-mooc through the staff group: every learner's grades
    assert both.api(grace, "GET", "courses/open-mooc/gradebook").status_code == 200
    assert both.api(grace, "GET", "courses/acme-cooc/gradebook").status_code == 403

    # li: an acme.example address from the provider, no group: admitted by the domain rule
    session, r = sso_login(both, provider, person("li", "li@acme.example"))
    assert r.status_code == 200, r.text
    li = token_of(both, session, "li")
    r = both.api(li, "POST", "courses/acme-cooc/enrolments", json={})
    assert r.status_code == 201, r.text
    me = both.api(li, "GET", "me/preferences")
    assert me.status_code == 200, me.text
    assert "li@acme.example" in me.text
    # zed: another domain, no group: refused, told how to get in
    session, r = sso_login(both, provider, person("zed", "zed@elsewhere.example"))
    zed = token_of(both, session, "zed")
    r = both.api(zed, "POST", "courses/acme-cooc/enrolments", json={})
    assert r.status_code == 403 and "sign in with your organisation" in r.json()["message"]
    # an address the provider says is not verified does not count
    unverified = person("mo", "mo@acme.example") | {"email_verified": False}
    session, r = sso_login(both, provider, unverified)
    assert "email" not in hub_user(both, admin, "mo")["user_info"]
    mo = token_of(both, session, "mo")
    assert both.api(mo, "POST", "courses/acme-cooc/enrolments", json={}).status_code == 403

    # a second sign-on follows the provider's groups: grace left cs-teachers
    sso_login(both, provider, person("grace", "grace@acme.example", ["acme-staff"]))
    assert hub_user(both, admin, "grace")["groups"] == ["acme"]
    # nobody signs up natively under a signed-on name
    _, r = both.sign_up("grace", "a-long-password-42")
    assert r.status_code != 302


def test_native_accounts_stay_and_keep_their_names(both, provider):
    session = both.login("ana")  # the password login still works
    _, r = both.sign_up("newbie", "a-long-password-42")  # and sign-up for open courses
    assert r.status_code == 302, r.text
    # nobody takes the name of staff a course file names before they first sign on
    _, r = both.sign_up("teacher", "a-long-password-42")
    assert r.status_code != 302
    with pytest.raises(LoginFailed):
        both.login("teacher", "a-long-password-42")
    ana = token_of(both, session, "ana")
    assert both.api(ana, "GET", "courses/open-mooc/gradebook").status_code == 403
    # the provider's "ana" is someone else: not let into the native account
    _, r = sso_login(both, provider, person("ana", "ana@acme.example"))
    assert r.status_code == 403 and "an account with a password" in r.text


@pytest.mark.parametrize("forge", ["signature", "audience", "expired"])
def test_forged_id_tokens_are_refused(both, provider, forge):
    provider.forge = forge
    try:
        _, r = sso_login(both, provider, person("eve", "eve@acme.example"))
    finally:
        provider.forge = None
    assert r.status_code == 403, (forge, r.status_code)
    expected = {
        "signature": "not signed by it",
        "audience": "meant for another client",
        "expired": "has expired",
    }[forge]
    assert expected in r.text
    assert "/hub/home" not in r.url


def test_a_school_without_native_accounts_refuses_passwords(provider, tmp_path):
    with sso_school(tmp_path, provider, False, "sso-only") as school:
        page = requests.get(f"{school.url}hub/login")
        assert "Sign in with Campus ID" in page.text and 'name="password"' not in page.text
        session = requests.Session()
        session.get(f"{school.url}hub/login")
        r = session.post(
            f"{school.url}hub/login",
            data={"username": "ana", "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf")},
            allow_redirects=False,
        )
        assert r.status_code == 403 and "signs you in with Campus ID only" in r.text
        assert requests.get(f"{school.url}hub/signup").status_code == 404
        _, r = sso_login(school, provider, person("li", "li@acme.example"))
        assert r.status_code == 200 and r.url.endswith("/hub/home")
