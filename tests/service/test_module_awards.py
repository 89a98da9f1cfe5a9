"""Module badges and module certificates (issue 14's rewards) on SQLite and PostgreSQL: a
module's reward in the course file issues, through the certificate path, a signed Open Badges
assertion for that module (a badge) or a module certificate (its PDF too) when the module is
complete at the reward's score; numbered with the course's certificates, verified, revoked and
re-issued on the same paths; the learner's display name at issue stays on it."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.models import CourseRecord
from nbcampus.school.certificates import badge, issuance, keys, pdf, public
from nbcampus.school.certificates.awards import award_modules
from nbcampus.school.certificates.eligibility import module_verdicts
from nbcampus.school.certificates.export import export_zip
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.certificates.settings import CertificateSettings
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.notifications import api as notifications
from nbcampus.school.profiles.api import update_profile
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.quizzes.attempts import publish_quizzes, submit_attempt
from nbcampus.service.pages import verify as page
from service.test_certificates import QUIZ, RIGHT, WRONG, _b64, grade, pdf_text

COURSE = "cooc-modules"


@pytest.fixture
def school(tmp_path):
    settings = CertificateSettings(
        state_dir=str(tmp_path / "state"), public_url="https://campus.example.org/"
    )
    return settings, keys.load_or_create(settings.key_file)


@pytest.fixture
def rewarded(database, make_course):
    """A course whose module week1 rewards completion at 50% (a badge by default); the
    course's own certificate asks for 80% and the verified track."""

    def make(award="badge", min_score=50, learners=("ana", "bo")):
        loaded = load_course(
            make_course(
                COURSE,
                module_reward={"award": award, "min_score": min_score},
                certificate={"enabled": True, "min_score": 80, "verified_only": True},
            )
        )
        with database.session() as session:
            publish_course(session, loaded)
            publish_quizzes(session, loaded)
        for name in learners:
            with database.session() as session:
                rules.enrol(session, COURSE, rules.Learner(name))
        return COURSE

    return make


def awards(database, username=None):
    with database.session(readonly=True) as session:
        query = select(Certificate).where(Certificate.course_id == COURSE)
        if username:
            query = query.where(Certificate.username == username)
        return list(session.scalars(query.order_by(Certificate.number)))


def quiz(database, username, answers):
    with database.session() as session:
        submit_attempt(session, COURSE, QUIZ, username, answers)


def test_completing_the_module_issues_its_badge_and_only_then(database, rewarded):
    rewarded()
    grade(database, COURSE, "ana", 2.0)  # the exercise graded, the quiz not attempted yet
    assert awards(database) == []
    quiz(database, "ana", RIGHT)  # the module is complete: its badge, through the hook
    grade(database, COURSE, "bo", 2.0)  # bo has not attempted the quiz: not complete
    (cert,) = awards(database)
    assert (cert.username, cert.module_id, cert.award, cert.number) == ("ana", "week1", "badge", 1)
    assert cert.module_title == "Week 1" and cert.issued_by == "auto"
    assert cert.score == 100.0
    # the course's own certificate (verified track only) is not given by a module's reward
    with database.session(readonly=True) as session:
        assert issuance.active_certificate(session, COURSE, "ana") is None
        assert issuance.active_certificate(session, COURSE, "ana", "week1").id == cert.id
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issue"))
        assert event.details["module"] == "week1"
    # a second grade or attempt issues nothing more: one live award per learner and module
    quiz(database, "ana", RIGHT)
    with database.session() as session:
        assert award_modules(session, COURSE, "ana") == []
    assert len(awards(database)) == 1
    assert awards(database, "bo") == []
    # the learner is told, with the link to the public check
    with database.session(readonly=True) as session:
        (note,) = notifications.my_notifications(session, "ana")["notifications"]
    assert note["title"] == f"Your badge for Week 1 of Course {COURSE}"
    assert note["link"].endswith(f"verify/{cert.id}")


def test_the_modules_score_must_reach_the_rewards(database, rewarded):
    rewarded(min_score=90)
    grade(database, COURSE, "bo", 2.0)
    quiz(database, "bo", WRONG)  # complete, but 70% of the module's points (0.7 * 2/2 + 0)
    assert awards(database) == []
    with database.session(readonly=True) as session:
        verdict = module_verdicts(session, session.get(CourseRecord, COURSE), "bo")["week1"]
    assert verdict.missing == ["module week1: score 70.0% is below the 90% required"]
    quiz(database, "bo", RIGHT)
    (cert,) = awards(database)
    assert cert.username == "bo" and cert.score == 100.0


def test_a_module_badge_verifies_and_a_tampered_one_does_not(database, rewarded, school):
    settings, key = school
    rewarded()
    with database.session() as session:
        update_profile(session, "ana", {"display_name": "Ana Lima"})
    grade(database, COURSE, "ana", 2.0)
    quiz(database, "ana", RIGHT)
    (cert,) = awards(database)
    token = badge.sign(badge.assertion(cert, settings), key)
    public_key = keys.load_public(json.dumps(badge.crypto_key(settings, key)))
    checked = badge.verify(token, public_key)
    facts = checked["nbcampus:certificate"]
    assert (facts["learner"], facts["module"], facts["award"]) == ("Ana Lima", "week1", "badge")
    assert checked["badge"]["name"] == f"Week 1: Course {COURSE}"
    assert "module Week 1" in checked["badge"]["description"]
    course_badge = badge.assertion(cert, settings)["badge"]["id"]
    assert facts["verify"] == f"https://campus.example.org/services/nbcampus/verify/{cert.id}"
    # the module's BadgeClass is its own, not the course's
    cert.module_id = ""
    assert badge.assertion(cert, settings)["badge"]["id"] != course_badge
    cert.module_id = "week1"
    # tampered: another learner's name, or another module, after signing
    header, payload, signature = token.split(".")
    for field, value in (("learner", "Mallory"), ("module", "week2")):
        document = json.loads(base64.urlsafe_b64decode(payload + "=="))
        document["nbcampus:certificate"][field] = value
        altered = ".".join([header, _b64(json.dumps(document).encode()), signature])
        with pytest.raises(badge.InvalidAssertion, match="altered after it was signed"):
            badge.verify(altered, public_key)
    # the public check and its page name the module and what was awarded
    with database.session(readonly=True) as session:
        result = public.check(session, cert.id)
    assert result["status"] == "valid"
    assert result["certificate"]["module"] == "Week 1"
    html = page.render(result, issuer="School", json_url="/j", key_url="/k")
    assert "<th>Module</th><td>Week 1</td>" in html
    assert "module badge" in html and "Ana Lima" in html


def test_a_revoked_module_certificate_shows_revoked_and_is_reissued(database, rewarded, school):
    settings, _ = school
    rewarded(award="certificate")
    grade(database, COURSE, "ana", 2.0)
    quiz(database, "ana", RIGHT)
    (cert,) = awards(database)
    assert cert.award == "certificate"
    # the same PDF as a course certificate, saying which module
    text = pdf_text(pdf.render(pdf.pdf_input(cert, settings)))
    assert b"has completed the module" in text and b"Week 1" in text
    # re-issued (a corrected grade): a new id and the course's next number, the module kept
    with database.session() as session:
        new = issuance.reissue(session, cert.id, actor="teacher", reason="grade corrected")
        assert (new.module_id, new.award, new.number, new.replaces) == (
            "week1",
            "certificate",
            2,
            cert.id,
        )
        assert issuance.active_certificate(session, COURSE, "ana", "week1").id == new.id
        new_id = new.id
    with database.session() as session:
        issuance.revoke(session, new_id, actor="teacher", reason="copied work")
    with database.session(readonly=True) as session:
        result = public.check(session, new_id)
        revoked_ids = [r["uid"] for r in public.revocations(session)]
        assert issuance.active_certificate(session, COURSE, "ana", "week1") is None
    assert result["status"] == "revoked" and result["reason"] == "copied work"
    assert result["certificate"]["module_id"] == "week1"
    html = page.render(result, issuer="School", json_url="/j", key_url="/k")
    assert "Revoked on" in html and "copied work" in html and "module certificate" in html
    assert {cert.id, new_id} <= set(revoked_ids)


def test_the_display_name_at_issue_stays_on_the_certificate(database, rewarded, school):
    settings, _ = school
    rewarded(award="certificate")
    with database.session() as session:
        update_profile(session, "ana", {"display_name": "Ana Lima"})
    grade(database, COURSE, "ana", 2.0)
    quiz(database, "ana", RIGHT)
    (cert,) = awards(database)
    assert cert.learner_name == "Ana Lima"
    assert b"Ana Lima" in pdf_text(pdf.render(pdf.pdf_input(cert, settings)))
    # a later change of name leaves the issued certificate, its badge and its check unchanged
    with database.session() as session:
        update_profile(session, "ana", {"display_name": "Ana Lima-Souza"})
    (same,) = awards(database)
    assert same.learner_name == "Ana Lima"
    with database.session(readonly=True) as session:
        assert public.check(session, cert.id)["certificate"]["learner"] == "Ana Lima"
    assert badge.assertion(same, settings)["nbcampus:certificate"]["learner"] == "Ana Lima"
    assert b"Ana Lima-Souza" not in pdf_text(pdf.render(pdf.pdf_input(same, settings)))
    # a learner without a display name is shown by their username
    grade(database, COURSE, "bo", 2.0)
    quiz(database, "bo", RIGHT)
    assert awards(database, "bo")[0].learner_name == "bo"


def test_module_awards_share_the_courses_numbers_and_the_export(database, rewarded, tmp_path):
    rewarded(award="badge")
    with database.session() as session:
        rules.set_track(session, COURSE, "ana", "verified", actor="t", reason="paid")
    grade(database, COURSE, "ana", 2.0)
    quiz(database, "ana", RIGHT)  # the module badge and the course certificate at once
    numbered = [(c.module_id, c.award, c.number) for c in awards(database)]
    assert sorted(numbered, key=lambda n: n[2]) == numbered
    assert {(m, a) for m, a, _ in numbered} == {("", "certificate"), ("week1", "badge")}
    assert [n for _, _, n in numbered] == [1, 2]
    # the export holds PDFs of certificates only: a badge has none
    settings = CertificateSettings(state_dir=str(tmp_path / "s"), public_url="https://x.org/")
    keys.load_or_create(settings.key_file)
    result = export_zip(database, settings, COURSE, tmp_path / "out.zip", workers=1)
    assert result.count == 1


def test_migration_0019_keeps_issued_certificates_and_goes_down_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from nbcampus.school.core.db import alembic_config

    config = alembic_config(database_url)
    command.upgrade(config, "0018")
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO courses (id, title, format, pedagogy, waitlist, data, "
                    "source_hash, active, updated_at) VALUES "
                    "('c', 'C', 'mooc', 'xmooc', false, '{}', 'h', true, :at)"
                ),
                {"at": "2026-01-01 00:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO certificates (id, course_id, number, username, learner_name, "
                    "course_title, format, hours, branding, issued_at, issued_by) VALUES "
                    "('old-certificate-id-1', 'c', 1, 'ana', 'ana', 'C', 'mooc', 2, '{}', :at, "
                    "'auto')"
                ),
                {"at": "2026-01-01 00:00:00+00:00"},
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            row = conn.execute(text("SELECT module_id, award FROM certificates")).one()
            assert tuple(row) == ("", "certificate")
            # one live award per learner, course and module: a module's may join the course's
            conn.execute(
                text(
                    "INSERT INTO certificates (id, course_id, number, username, learner_name, "
                    "course_title, format, hours, branding, issued_at, issued_by, module_id, "
                    "award) VALUES ('new-module-badge-id', 'c', 2, 'ana', 'ana', 'C', 'mooc', 2, "
                    "'{}', :at, 'auto', 'week1', 'badge')"
                ),
                {"at": "2026-01-02 00:00:00+00:00"},
            )
            conn.commit()
        assert "profiles" in inspect(engine).get_table_names()
        command.downgrade(config, "0018")
        engine.dispose()
        assert "profiles" not in inspect(engine).get_table_names()
        with engine.connect() as conn:  # the module's award goes, the course's stays
            ids = conn.execute(text("SELECT id FROM certificates")).scalars().all()
            assert ids == ["old-certificate-id-1"]
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_course_home_shows_the_modules_reward_and_its_check(database, rewarded):
    from datetime import UTC, datetime

    from nbcampus.school.core.scopes import LEARN, Permissions
    from nbcampus.service.pages.course_home import home_facts
    from nbcampus.service.pages.course_home_html import home_page

    rewarded(award="badge", min_score=50)
    grade(database, COURSE, "ana", 2.0)
    quiz(database, "ana", RIGHT)
    (cert,) = awards(database)

    def page_of(username):
        with database.session(readonly=True) as session:
            facts = home_facts(session, Permissions(username, [LEARN]), COURSE, datetime.now(UTC))
        extra = {"lab": f"/user/{username}/", "service": "/services/nbcampus/", "xsrf": ""}
        return facts, home_page({**facts, **extra, "notice": None, "error": None})

    facts, html = page_of("ana")
    assert facts["modules"][0]["reward"]["earned"] == cert.id
    assert f'href="/services/nbcampus/verify/{cert.id}"' in html
    assert "Your badge is issued" in html
    facts, html = page_of("bo")
    assert facts["modules"][0]["reward"]["earned"] is None
    assert "This module gives a badge: complete every exercise and the quiz with 50%" in html
