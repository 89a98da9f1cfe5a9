"""The profile over HTTP with a real hub (SQLite and PostgreSQL): GET|PATCH /api/me/profile
(validated by its documented schema, refusals say which field and why), and the phone page
/services/nbcampus/profile behind the hub's login: everything shown escaped, no script, its
forms refused without the hub's _xsrf, the address form running the notifications' address
flow; the learner's list of courses links it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from playwright.sync_api import expect
from test_browser import browser  # noqa: F401  (the chromium fixture)

from service.conftest import call

WHO = "cy"  # the session's campus is shared: this test's learner is given back his username


@pytest.fixture
def cy(campus):
    yield campus
    reset = {"display_name": None, "language": None, "time_zone": None}
    call(campus, WHO, "PATCH", "me/profile", json=reset)
    call(campus, WHO, "PATCH", "me/preferences", json={"email": None})


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_my_profile_reads_changes_and_refuses_with_the_field(cy):
    campus = cy
    assert call(campus, None, "GET", "me/profile").status_code == 401
    r = call(campus, WHO, "GET", "me/profile")
    assert r.status_code == 200, r.text
    mine = r.json()
    assert (mine["username"], mine["shown_name"], mine["display_name"]) == (WHO, WHO, None)
    assert mine["email"]["change_url"].endswith("/api/me/preferences")
    assert mine["email"]["confirm_url"].endswith("/api/me/email/confirm")
    r = call(
        campus,
        WHO,
        "PATCH",
        "me/profile",
        json={"display_name": "Cy <b>Dupont</b>", "language": "fr", "time_zone": "Europe/Paris"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["shown_name"] == "Cy <b>Dupont</b>"  # JSON carries text; pages escape it
    assert call(campus, WHO, "GET", "me/profile").json()["time_zone"] == "Europe/Paris"
    for body, status, says in [
        ({"time_zone": "Mars/Olympus"}, 422, "time_zone: 'Mars/Olympus' is not an IANA"),
        ({"display_name": "Cy\u202e"}, 422, "display_name: character 3 (U+202E)"),
        ({"language": "de"}, 400, "language"),
        ({"colour": "red"}, 400, "colour"),
    ]:
        r = call(campus, WHO, "PATCH", "me/profile", json=body)
        assert r.status_code == status and says in r.json()["message"], (body, r.text)
    assert call(campus, WHO, "GET", "me/profile").json()["language"] == "fr"  # nothing written
    # another learner's profile is their own: ana sees hers, not cy's
    assert call(campus, "ana", "GET", "me/profile").json()["username"] == "ana"


def test_the_profile_page_shows_escaped_and_saves_with_the_xsrf_token(cy):
    campus = cy
    call(campus, WHO, "PATCH", "me/profile", json={"display_name": "<script>x()</script>Cy"})
    learner = campus.login(WHO)
    url = f"{campus.url}services/nbcampus/profile"
    r = learner.get(url, timeout=60)
    assert r.status_code == 200 and r.url == url, r.url  # through the hub's OAuth login
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert "<script>" not in r.text and "&lt;script&gt;x()&lt;/script&gt;Cy" in r.text
    assert "Shown as <script>x()</script>Cy on your certificates" in text_of(r.text)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', r.text).group(1)
    # a form from another site has no token: refused, nothing written
    forged = learner.post(url, data={"form": "profile", "display_name": "Forged"}, timeout=60)
    assert forged.status_code == 403
    saved = learner.post(
        url,
        data={
            "_xsrf": xsrf,
            "form": "profile",
            "display_name": "Cy Dupont",
            "language": "fr",
            "time_zone": "Africa/Dakar",
        },
        timeout=60,
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    mine = call(campus, WHO, "GET", "me/profile").json()
    assert (mine["shown_name"], mine["language"], mine["time_zone"]) == (
        "Cy Dupont",
        "fr",
        "Africa/Dakar",
    )
    assert 'value="fr" selected' in saved.text and 'value="Africa/Dakar"' in saved.text
    # a refusal is shown on the page with its status, nothing written
    bad = learner.post(
        url, data={"_xsrf": xsrf, "form": "profile", "time_zone": "Nowhere/Land"}, timeout=60
    )
    assert bad.status_code == 422 and "is not an IANA time zone" in text_of(bad.text)
    assert call(campus, WHO, "GET", "me/profile").json()["time_zone"] == "Africa/Dakar"
    # the address form is the notifications' flow: the address waits for its confirmation
    mailed = learner.post(
        url, data={"_xsrf": xsrf, "form": "email", "email": "cy@example.org"}, timeout=60
    )
    assert mailed.status_code == 200, mailed.text[:300]
    shown = text_of(mailed.text)
    assert "cy@example.org" in shown and "waiting for confirmation" in shown
    state = call(campus, WHO, "GET", "me/profile").json()["email"]
    assert state == {**state, "address": "cy@example.org", "verified": False, "source": "profile"}
    wrong = learner.post(url, data={"_xsrf": xsrf, "form": "email", "email": "nope"}, timeout=60)
    assert wrong.status_code == 422 and "not an e-mail address" in text_of(wrong.text)
    # my list of courses links the profile
    home = learner.get(f"{campus.url}services/nbcampus/", timeout=60)
    assert 'href="/services/nbcampus/profile"' in home.text


@pytest.mark.browser
def test_the_profile_page_fits_a_phone_and_saves_a_name(cy, browser, output_dir):  # noqa: F811
    campus = cy
    url = f"{campus.url}services/nbcampus/profile"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{campus.url}hub/login?next=/services/nbcampus/profile")
        page.fill("#username_input", WHO)
        page.fill("#password_input", campus.passwords[WHO])
        page.click("#login_submit")
        page.wait_for_url(url, timeout=120_000)
        expect(page.locator("h1")).to_have_text("Your profile")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the form by keyboard: the label names the field
        page.get_by_label("Display name").fill("Cy from the phone")
        page.get_by_label("Language").select_option("fr")
        page.get_by_label("Time zone").fill("Europe/Paris")
        page.get_by_role("button", name="Save", exact=True).press("Enter")
        expect(page.get_by_role("status")).to_have_text("Saved.")
        expect(page.locator(".shown-name")).to_have_text("Cy from the phone")
        page.screenshot(path=str(output_dir / "profile-phone.png"), full_page=True)
    finally:
        context.close()
    assert call(campus, WHO, "GET", "me/profile").json()["time_zone"] == "Europe/Paris"
