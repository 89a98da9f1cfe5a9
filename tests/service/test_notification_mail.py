"""Notification mails through a real SMTP server (aiosmtpd, in-process, on 127.0.0.1), on
SQLite and PostgreSQL: the headers and the unsubscribe key, no address and no mail, digests,
retries with backoff, and each mail sent exactly once by two senders racing or after one died."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from nbcampus.course.loader import load_course
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications import outbox, tokens
from nbcampus.school.notifications.models import Mail, Notification
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.testing import free_port

COURSE = "mailed"
SECRET = b"test-secret"
LEASE = timedelta(seconds=60)


class Sink:
    """An SMTP server's mailbox: every message received; ``refuse`` answers the next DATA;
    with ``stall``, the first DATA waits (a slow server) and is never accepted."""

    def __init__(self) -> None:
        self.messages = []
        self.refuse: list[str] = []
        self.lock = threading.Lock()
        self.stall = False
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(20)  # the sender is killed meanwhile
            return "451 4.4.2 too late"
        with self.lock:
            if self.refuse:
                return self.refuse.pop(0)
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def mailer(smtp):
    return notifications.Mailer(
        enabled=True,
        host="127.0.0.1",
        port=smtp.port,
        timeout_seconds=5.0,
        lease_seconds=60.0,
        backoff_seconds=60.0,
        batch=5,
        public_url="https://campus.example.org/",
        service_prefix="/services/nbcampus/",
    )


@pytest.fixture
def school(database, make_course):
    run(database, publish_course, load_course(make_course(COURSE)))
    for name in ("ana", "bo", "cy", "dan"):
        run(database, rules.enrol, COURSE, rules.Learner(name))
    for name in ("ana", "cy", "dan"):  # bo gave no address
        email = f"{name}@example.org"
        run(database, notifications.update_preferences, name, {"email": email})
        # confirmed from the link of its mail (mail goes to verified addresses only)
        key = tokens.sign_address(b"a secret", name, email)
        run(database, notifications.confirm_address, b"a secret", key, utcnow())
    return database


def run(database, fn, *args, **kwargs):
    with database.session() as session:
        return fn(session, *args, **kwargs)


def sender(database, mailer, owner: str) -> notifications.MailSender:
    composer = notifications.Composer(mailer, SECRET)
    return notifications.MailSender(database, mailer, composer, owner=owner)


def tell(database, username: str, kind: str = "reply", title: str = "bo replied", body=None):
    return run(
        database,
        notifications.notify,
        username,
        kind,
        COURSE,
        title,
        body or "Use <b>range()</b>",
        f"courses/{COURSE}/discussion/1",
    )


async def test_a_mail_with_its_unsubscribe_headers_and_the_key_that_turns_it_off(
    school, mailer, smtp
):
    tell(school, "ana")
    assert await sender(school, mailer, "s1").run_once() == 1
    [mail] = smtp.messages
    assert mail["To"] == "ana@example.org" and mail["Subject"] == "[nbcampus] bo replied"
    assert mail.get_content_type() == "text/plain"
    text = mail.get_content()
    assert "Use <b>range()</b>" in text  # the learner's text as text, in a text mail
    assert f"https://campus.example.org/services/nbcampus/courses/{COURSE}/discussion/1" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://campus.example.org/services/nbcampus/api/unsubscribe?key=")
    assert link in text
    key = unquote(parse_qs(urlparse(link).query)["key"][0])
    assert notifications.verify(SECRET, key) == ("ana", [(COURSE, "reply")])
    with pytest.raises(Exception, match="altered"):
        notifications.verify(SECRET, key[:-2] + "xx")
    run(school, notifications.turn_off_email, "ana", [(COURSE, "reply")])
    tell(school, "ana")
    tell(school, "ana", "mention", "cy mentioned you")  # another kind still comes
    assert await sender(school, mailer, "s1").run_once() == 1
    assert [m["Subject"] for m in smtp.messages][1:] == ["[nbcampus] cy mentioned you"]


async def test_no_address_no_mail_and_no_crash(school, mailer, smtp):
    note = tell(school, "bo")
    assert await sender(school, mailer, "s1").run_once() == 0
    assert smtp.messages == []
    with school.session() as session:
        assert session.get(Notification, note.id).mail_state == "no-address"


async def test_a_kind_turned_off_after_the_fact_is_not_mailed(school, mailer, smtp):
    tell(school, "ana")
    run(
        school,
        notifications.update_preferences,
        "ana",
        {"courses": {COURSE: {"reply": {"email": False}}}},
    )
    assert await sender(school, mailer, "s1").run_once() == 0
    assert smtp.messages == []
    # still in the lab
    assert run(school, notifications.my_notifications, "ana")["unread"] == 1


async def test_a_daily_digest_batches_what_waited_into_one_mail(school, mailer, smtp):
    run(school, notifications.update_preferences, "cy", {"digest": "daily"})
    for i in range(3):
        tell(school, "cy", "announcement" if i else "reply", f"news {i}")
    composer = notifications.Composer(mailer, SECRET)
    assert await sender(school, mailer, "s1").run_once() == 0  # no single mails for cy
    assert run(school, notifications.compose_digests, composer, utcnow()) == 0  # not a day yet
    later = utcnow() + timedelta(days=1, minutes=1)
    assert run(school, notifications.compose_digests, composer, later) == 1
    assert run(school, notifications.compose_digests, composer, later) == 0
    assert await sender(school, mailer, "s1").run_once() == 1
    [mail] = smtp.messages
    assert mail["Subject"] == "[nbcampus] your daily digest: 3 notification(s)"
    assert all(f"news {i}" in mail.get_content() for i in range(3))
    key = unquote(parse_qs(urlparse(mail["List-Unsubscribe"].strip("<>")).query)["key"][0])
    assert notifications.verify(SECRET, key)[1] == [(COURSE, "announcement"), (COURSE, "reply")]


async def test_a_refusal_waits_longer_each_time_and_a_permanent_one_gives_up(school, mailer, smtp):
    tell(school, "ana")
    smtp.refuse = ["451 4.3.0 try again later"]
    worker = sender(school, mailer, "s1")
    assert await worker.run_once() == 0
    with school.session() as session:
        mail = session.scalar(select(Mail))
        assert (mail.state, mail.attempts) == ("queued", 1)
        assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)
        assert "451" in mail.error
    assert await worker.run_once() == 0  # not due yet
    assert outbox.backoff(3, 60, 3600) == timedelta(seconds=240)
    assert outbox.backoff(10, 60, 3600) == timedelta(seconds=3600)
    with school.session() as session:
        session.execute(update(Mail).values(next_attempt_at=utcnow()))
    smtp.refuse = ["550 5.1.1 no such mailbox"]
    assert await worker.run_once() == 0
    with school.session() as session:
        assert session.scalar(select(Mail.state)) == "failed"
    assert smtp.messages == []


async def test_two_senders_racing_send_each_mail_exactly_once(school, mailer, smtp):
    for i in range(12):
        for name in ("ana", "cy", "dan"):
            tell(school, name, title=f"{name} {i}")
    a, b = sender(school, mailer, "replica-a"), sender(school, mailer, "replica-b")
    sent = 0
    for _ in range(30):  # bounded: 36 mails, batches of 5 per sender
        counts = await asyncio.gather(a.run_once(), b.run_once())
        sent += sum(counts)
        if run(school, notifications.outbox_counts)["queued"] == 0 and sent >= 36:
            break
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 36 and len(set(ids)) == 36 and sent == 36
    assert run(school, notifications.outbox_counts) == {
        "queued": 0,
        "sending": 0,
        "sent": 36,
        "failed": 0,
    }


def test_claims_racing_in_threads_never_share_a_mail(school, mailer):
    for i in range(40):
        tell(school, "ana", title=f"n{i}")
    run(school, notifications.compose_single, notifications.Composer(mailer, SECRET))
    barrier = threading.Barrier(4)

    def claim(owner):
        barrier.wait(timeout=30)
        got = []
        for _ in range(20):
            with school.session() as session:
                batch = outbox.claim(session, owner, LEASE, limit=3, max_attempts=6)
            if not batch:
                break
            got += [m.id for m in batch]
        return got

    with ThreadPoolExecutor(4) as pool:
        claimed = list(pool.map(claim, ["w1", "w2", "w3", "w4"]))
    every = [i for ids in claimed for i in ids]
    assert len(every) == 40 and len(set(every)) == 40


async def test_a_mail_whose_sender_died_mid_send_is_sent_once_by_another(school, mailer, smtp):
    tell(school, "ana")
    run(school, notifications.compose_single, notifications.Composer(mailer, SECRET))
    # the dead sender claimed it (marked sending) and was killed before the SMTP call ended
    with school.session() as session:
        [held] = outbox.claim(session, "dead", LEASE, limit=5, max_attempts=6)
    live = sender(school, mailer, "live")
    assert await live.run_once() == 0  # its lease holds: nobody else sends it
    with school.session() as session:  # the lease runs out
        session.execute(update(Mail).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert await live.run_once() == 1
    # the dead one cannot come back and send it again: its lease is gone
    assert await sender(school, mailer, "dead").send(held) == "lost"
    assert len(smtp.messages) == 1
    with school.session() as session:
        mail = session.scalar(select(Mail))
        assert (mail.state, mail.attempts, mail.lease_owner) == ("sent", 2, None)


DOOMED_SENDER = """
import asyncio, sys
from nbcampus.school.core.db import Database
from nbcampus.school.notifications.api import Composer, Mailer, MailSender
mailer = Mailer(enabled=True, host="127.0.0.1", port=int(sys.argv[2]), timeout_seconds=3.0,
                lease_seconds=4.0, public_url="https://campus.example.org/",
                service_prefix="/services/nbcampus/")
sender = MailSender(Database(sys.argv[1]), mailer, Composer(mailer, b"k"), owner="doomed")
asyncio.run(sender.run_once())
"""


async def test_a_sender_killed_mid_send_leaves_the_mail_to_another_replica(
    school, database_url, smtp
):
    tell(school, "ana")
    smtp.stall = True
    child = subprocess.Popen(
        [sys.executable, "-c", DOOMED_SENDER, database_url, str(smtp.port)], env=os.environ
    )
    try:
        assert smtp.stalled.wait(30), "the doomed sender never reached the SMTP server"
        child.send_signal(signal.SIGKILL)  # kill -9, in the middle of the SMTP conversation
    finally:
        child.kill()
        child.wait(10)
    with school.session() as session:
        mail = session.scalar(select(Mail))
        assert (mail.state, mail.lease_owner, mail.attempts) == ("sending", "doomed", 1)
    short = notifications.Mailer(
        enabled=True, host="127.0.0.1", port=smtp.port, timeout_seconds=3.0, lease_seconds=4.0
    )
    replica = notifications.MailSender(
        school, short, notifications.Composer(short, SECRET), owner="replica"
    )
    deadline = time.monotonic() + 20
    sent = 0
    while not sent:  # the dead sender's lease runs out, then the replica sends the mail
        assert time.monotonic() < deadline, "the mail was never sent again"
        sent = await replica.run_once()
        if not sent:
            await asyncio.sleep(0.5)
    assert len(smtp.messages) == 1
    with school.session() as session:
        mail = session.scalar(select(Mail))
        assert (mail.state, mail.attempts, mail.lease_owner) == ("sent", 2, None)


async def test_what_waited_while_mail_was_off_is_not_mailed_days_later(school, mailer, smtp):
    note = tell(school, "ana")
    with school.session() as session:
        session.get(Notification, note.id).created_at = utcnow() - timedelta(days=3)
    assert await sender(school, mailer, "s1").run_once() == 0
    with school.session() as session:
        assert session.get(Notification, note.id).mail_state == "none"
    assert smtp.messages == []
