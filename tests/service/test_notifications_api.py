"""The notifications API on a real hub whose service mails a real SMTP server (aiosmtpd on
127.0.0.1): a learner's address and preferences, an announcement that arrives in the lab list
and by mail, the mail's one-click unsubscribe link posted as a mail program does, and refusals
that say why."""

from __future__ import annotations

import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import requests
from aiosmtpd.controller import Controller

from nbcampus.testing import free_port, running_campus


class Sink:
    def __init__(self) -> None:
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def wait(self, count: int, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} mails, not {count}"
            time.sleep(0.1)
        return self.messages


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mailing_campus(request, tmp_path_factory):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    config = "\n".join(
        [
            "c.CampusService.run_grader = False",
            "c.CampusService.mail_interval_seconds = 0.3",
            "c.Mailer.enabled = True",
            "c.Mailer.host = '127.0.0.1'",
            f"c.Mailer.port = {controller.port}",
            "c.Mailer.sender = 'School <school@example.org>'",
            # the subscribers as the entry point registers them (an installed copy may predate it)
            "from nbcampus.school.core.events import bus",
            "from nbcampus.school.notifications.subscribers import subscribe",
            "subscribe(bus)",
        ]
    )
    state = tmp_path_factory.mktemp("mailing")
    try:
        with running_campus(state, request.param, "mailing", service_config=config) as school:
            school.sink = sink
            yield school
    finally:
        controller.stop()


def confirm(school, mail) -> str:
    """Follow a confirmation mail's link as its reader does (the page, then its button); the
    link's path below the service."""
    link = next(w for w in mail.get_content().split() if "/api/me/email/confirm?key=" in w)
    path = link.split("/services/nbcampus/", 1)[1]
    r = requests.post(f"{school.url}services/nbcampus/{path}", timeout=30)
    assert r.status_code == 200 and r.json()["verified"] is True, r.text
    return path


def call(school, who, method, path, **kwargs):
    return school.api(school.tokens[who] if who else None, method, path, **kwargs)


def test_an_announcement_by_mail_and_its_one_click_unsubscribe(mailing_campus):
    school = mailing_campus
    assert call(school, "ana", "POST", "courses/open-mooc/enrolments", json={}).status_code in (
        200,
        201,
    )
    r = call(school, "ana", "PATCH", "me/preferences", json={"email": "ana@example.org"})
    assert r.status_code == 200, r.text
    assert r.json()["email_source"] == "profile"
    assert r.json()["courses"]["open-mooc"]["announcement"] == {"lab": True, "email": True}
    # the school mails an address once it is confirmed: its confirmation first
    [confirmation] = school.sink.wait(1)
    assert confirmation["To"] == "ana@example.org"
    confirm(school, confirmation)
    r = call(
        school,
        "teacher",
        "POST",
        "courses/open-mooc/announcements",
        json={"title": "Welcome", "body": "Start with <script>lesson 1</script>."},
    )
    assert r.status_code == 201, r.text
    listing = call(school, "ana", "GET", "me/notifications").json()
    assert listing["unread"] >= 1
    first = listing["notifications"][0]
    assert (
        first["kind"] == "announcement" and first["body"] == "Start with <script>lesson 1</script>."
    )
    assert first["link"] == "/services/nbcampus/courses/open-mooc/discussion"
    mail = school.sink.wait(2)[1]
    assert mail["To"] == "ana@example.org" and mail["From"] == "School <school@example.org>"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{school.url}services/nbcampus/api/unsubscribe?key=")
    # a browser opening the link gets a page with a button; nothing changes yet
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and '<form method="post"' in page.text
    assert call(school, "ana", "GET", "me/preferences").json()["courses"]["open-mooc"][
        "announcement"
    ]["email"]
    # a mail program posts it (RFC 8058), no login
    r = requests.post(link, data={"List-Unsubscribe": "One-Click"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["unsubscribed"] == [{"course_id": "open-mooc", "kind": "announcement"}]
    prefs = call(school, "ana", "GET", "me/preferences").json()
    assert prefs["courses"]["open-mooc"]["announcement"] == {"lab": True, "email": False}
    call(
        school,
        "teacher",
        "POST",
        "courses/open-mooc/announcements",
        json={"title": "Second", "body": "More."},
    )
    assert call(school, "ana", "GET", "me/notifications").json()["notifications"][0]["title"] == (
        "Second"
    )
    time.sleep(1.5)  # several sender passes
    assert len(school.sink.messages) == 2  # the confirmation and the first announcement
    unread = call(school, "ana", "POST", "me/notifications/read", json={"all": True}).json()
    assert unread == {"unread": 0}


@pytest.mark.parametrize(
    "method, path, body, status, reason",
    [
        ("GET", "me/notifications?limit=1000", None, 400, "limit"),
        ("GET", "me/notifications?unread=maybe", None, 400, "unread"),
        ("POST", "me/notifications/read", {"ids": []}, 400, "ids"),
        ("POST", "me/notifications/read", {}, 400, "either ids or all"),
        ("POST", "me/notifications/read", {"ids": [999999]}, 404, "no notification 999999"),
        ("PATCH", "me/preferences", {"digest": "hourly"}, 400, "digest"),
        ("PATCH", "me/preferences", {"email": "not an address"}, 422, "not an e-mail address"),
        ("PATCH", "me/preferences", {"courses": {"nope": {}}}, 404, "nope"),
        (
            "PATCH",
            "me/preferences",
            {"courses": {"open-mooc": {"shouting": {"lab": False}}}},
            400,
            "shouting",
        ),
    ],
)
def test_bad_input_is_refused_with_the_reason(mailing_campus, method, path, body, status, reason):
    r = call(mailing_campus, "bo", method, path, json=body)
    assert r.status_code == status, r.text
    assert reason in r.json()["message"]


def test_unsubscribe_needs_the_schools_key_and_no_login(mailing_campus):
    r = call(mailing_campus, None, "POST", "unsubscribe?key=abc.def")
    assert r.status_code == 400 and "not an unsubscribe key" in r.json()["message"]
    assert call(mailing_campus, None, "GET", "me/notifications").status_code in (401, 403)


def test_a_learner_confirms_their_address_from_its_mail(mailing_campus):
    """The address a learner gives is mailed a signed link; the link's page has one button,
    whose POST (no login: mail programs and phones open it anywhere) verifies the address."""
    before = len(mailing_campus.sink.messages)
    r = call(mailing_campus, "bo", "PATCH", "me/preferences", json={"email": "bo@acme.example"})
    assert r.status_code == 200 and r.json()["email_verified"] is False, r.text
    mail = mailing_campus.sink.wait(before + 1)[-1]
    assert mail["To"] == "bo@acme.example"
    assert mail["Subject"] == "Confirm your address for nbcampus"
    link = next(w for w in mail.get_content().split() if "/api/me/email/confirm?key=" in w)
    path = link.split("/services/nbcampus/", 1)[1]
    page = requests.get(f"{mailing_campus.url}services/nbcampus/{path}", timeout=30)
    assert page.status_code == 200 and "<form" in page.text
    # opening the page changed nothing
    assert call(mailing_campus, "bo", "GET", "me/preferences").json()["email_verified"] is False
    done = requests.post(f"{mailing_campus.url}services/nbcampus/{path}", timeout=30)
    assert done.status_code == 200, done.text
    assert done.json() == {"username": "bo", "email": "bo@acme.example", "verified": True}
    assert call(mailing_campus, "bo", "GET", "me/preferences").json()["email_verified"] is True
    altered = requests.post(f"{mailing_campus.url}services/nbcampus/{path[:-3]}xyz", timeout=30)
    assert altered.status_code == 400 and "address confirmation" in altered.json()["message"]
