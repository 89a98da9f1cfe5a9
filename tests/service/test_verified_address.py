"""Admission by e-mail domain reads a verified address only (issue 17, defect 1), on SQLite and
PostgreSQL: a learner's own address is verified by the signed link of the mail sent to it (the
mail as it sits in the outbox); the hub's address needs no link; an address changed since,
an altered key or an unsubscribe key confirms nothing."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications import tokens
from nbcampus.school.publishing.catalog import publish_course

COURSE = "acme-course"


@pytest.fixture
def school(database, make_course, tmp_path):
    org = {"name": "Acme", "email_domains": ["acme.example"]}
    folder = make_course(
        COURSE,
        fmt="cooc",
        enrolment={"rule": "organisation", "organisation": org},
        branding={"organisation": "Acme"},
    )
    with database.session() as session:
        publish_course(session, load_course(folder))
    mailer = notifications.Mailer(public_url="https://school.example")
    database.composer = notifications.Composer(mailer, tokens.load_or_create_secret(tmp_path))
    return database


def run(db, fn, *args, **kwargs):
    with db.session() as session:
        return fn(session, *args, **kwargs)


def enrol_as_they_ask(db, name: str) -> str:
    """Enrol ``name`` as the service does for a learner asking: with their verified address."""
    with db.session() as session:
        learner = rules.Learner(name, email=notifications.verified_address(session, name))
        return rules.enrol(session, COURSE, learner).status


def set_address(db, name: str, email: str) -> str:
    """The learner gives their address; the key of the confirmation link mailed to it."""
    run(db, notifications.update_preferences, name, {"email": email})
    assert run(db, notifications.ask_to_confirm, db.composer, name, utcnow())
    with db.session(readonly=True) as session:
        mail = session.scalars(
            select(notifications.Mail)
            .where(notifications.Mail.username == name)
            .order_by(notifications.Mail.id.desc())
        ).first()
        assert mail.recipient == email and mail.subject == "Confirm your address for nbcampus"
        link = re.search(r"https://school\.example/\S+", mail.body).group(0)
    assert "/api/me/email/confirm?key=" in link
    return unquote(link.split("key=", 1)[1])


def test_an_address_counts_once_confirmed_from_its_mail(school):
    with pytest.raises(Forbidden, match="open to Acme"):
        enrol_as_they_ask(school, "zed")
    key = set_address(school, "zed", "zed@acme.example")
    # given but not confirmed: nothing proves it is theirs
    assert run(school, notifications.preferences_view, "zed")["email_verified"] is False
    with pytest.raises(Forbidden, match="confirm an address of your organisation"):
        enrol_as_they_ask(school, "zed")
    secret = school.composer.secret
    assert run(school, notifications.confirm_address, secret, key, utcnow())["verified"]
    assert run(school, notifications.preferences_view, "zed")["email_verified"] is True
    assert enrol_as_they_ask(school, "zed") == "enrolled"
    # confirmed once: no second mail
    assert not run(school, notifications.ask_to_confirm, school.composer, "zed", utcnow())


def test_a_username_like_an_address_proves_nothing(school):
    with pytest.raises(Forbidden):
        enrol_as_they_ask(school, "mallory@acme.example")


def test_a_changed_address_needs_its_own_confirmation(school):
    old_key = set_address(school, "yan", "yan@acme.example")
    new_key = set_address(school, "yan", "yan@elsewhere.example")
    secret = school.composer.secret
    with pytest.raises(Conflict, match="no longer use"):
        run(school, notifications.confirm_address, secret, old_key, utcnow())
    run(school, notifications.confirm_address, secret, new_key, utcnow())
    with pytest.raises(Forbidden):  # verified, but not Acme's
        enrol_as_they_ask(school, "yan")


def test_forged_altered_and_unsubscribe_keys_confirm_nothing(school, tmp_path):
    key = set_address(school, "xia", "xia@acme.example")
    payload, _, mac = key.partition(".")
    (tmp_path / "other").mkdir()
    other = tokens.load_or_create_secret(tmp_path / "other")  # another school's secret
    forged = tokens.sign_address(other, "xia", "xia@acme.example")
    unsubscribe = tokens.sign(school.composer.secret, "xia", [(COURSE, "announcement")])
    for bad in (forged, f"{payload}.{mac[:-2]}AA", unsubscribe, "nonsense"):
        with pytest.raises(CampusError) as refused:
            run(school, notifications.confirm_address, school.composer.secret, bad, utcnow())
        assert refused.value.status == 400
    assert run(school, notifications.preferences_view, "xia")["email_verified"] is False


def test_the_hubs_address_is_verified_without_a_link(school):
    assert run(school, notifications.record_hub_address, "wu", "wu@acme.example")
    assert run(school, notifications.preferences_view, "wu")["email_verified"] is True
    assert not run(school, notifications.ask_to_confirm, school.composer, "wu", utcnow())
    assert enrol_as_they_ask(school, "wu") == "enrolled"
