"""Upgrading to the verified track from the learner's side (issue 17), on SQLite and PostgreSQL:
staff make voucher codes (only their hashes are kept), a learner redeems one (spent once, even
by two at the same moment), staff verify the identity (the track becomes verified, audited) or
refuse with a reason; bad codes and wrong states are refused with the reason, nothing written."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from nbcampus.course.loader import load_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import CampusError, Conflict, Forbidden, NotFound
from nbcampus.school.core.models import utcnow
from nbcampus.school.enrolment import api as enrolment
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.publishing.catalog import publish_course

COURSE = "upgrade"


@pytest.fixture
def school(database, make_course):
    with database.session() as session:
        publish_course(session, load_course(make_course(COURSE)))
        publish_course(
            session,
            load_course(
                make_course(
                    "free",
                    tracks={"audit": True, "verified": False},
                    certificate={"enabled": False},
                )
            ),
        )
    for name in ("ana", "bo", "cy"):
        with database.session() as session:
            rules.enrol(session, COURSE, rules.Learner(name))
    return database


def run(db, fn, *args, **kwargs):
    with db.session() as session:
        return fn(session, *args, **kwargs)


def vouchers(db, count=2):
    return run(db, enrolment.make_vouchers, COURSE, count, actor="teacher", note="spring sale")


def state(db, name):
    with db.session(readonly=True) as session:
        upgrade = enrolment.my_upgrade(session, COURSE, name)
        track = enrolment.find_enrolment(session, COURSE, name).track
        return (upgrade.state if upgrade else None), track


def test_a_code_upgrades_once_then_staff_verify_the_identity(school):
    first, second = vouchers(school)
    assert first != second and len(first) == 19  # XXXX-XXXX-XXXX-XXXX
    # the codes are not stored, only their SHA-256
    with school.session(readonly=True) as session:
        dump = " ".join(str(r) for r in session.execute(text("SELECT * FROM vouchers")).all())
    assert first not in dump and first.replace("-", "") not in dump

    # case, spaces and dashes do not matter
    run(school, enrolment.redeem, COURSE, "ana", f" {first.lower().replace('-', ' ')} ", utcnow())
    assert state(school, "ana") == ("awaiting verification", "audit")
    with pytest.raises(Conflict, match="already paid"):
        run(school, enrolment.redeem, COURSE, "ana", second, utcnow())
    # a spent code is refused like an unknown one
    for code in (first, "AAAA-BBBB-CCCC-DDDD"):
        with pytest.raises(CampusError, match="not an unused upgrade code") as refused:
            run(school, enrolment.redeem, COURSE, "bo", code, utcnow())
        assert refused.value.status == 400
    assert state(school, "bo") == (None, "audit")

    with school.session(readonly=True) as session:
        assert [u.username for u in enrolment.awaiting(session, COURSE)] == ["ana"]
    with pytest.raises(CampusError, match="reason"):
        run(
            school, enrolment.decide, COURSE, "ana", True, actor="teacher", reason=" ", now=utcnow()
        )
    run(
        school,
        enrolment.decide,
        COURSE,
        "ana",
        True,
        actor="teacher",
        reason="passport seen on video",
        now=utcnow(),
    )
    assert state(school, "ana") == ("verified", "verified")
    with pytest.raises(Conflict, match="already on the verified track"):
        run(school, enrolment.redeem, COURSE, "ana", second, utcnow())
    with school.session(readonly=True) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == "ana").order_by(AuditEvent.id)
        ).all()
    assert actions[-3:] == ["upgrade.paid", "enrolment.track", "upgrade.verified"]


def test_a_refused_upgrade_says_why_and_may_be_approved_later(school):
    (code,) = vouchers(school, 1)
    run(school, enrolment.redeem, COURSE, "bo", code, utcnow())
    run(school, enrolment.decide, COURSE, "bo", False, actor="teacher",
        reason="the photo is unreadable", now=utcnow())  # fmt: skip
    with school.session(readonly=True) as session:
        upgrade = enrolment.upgrade_view(enrolment.my_upgrade(session, COURSE, "bo"))
    assert upgrade["state"] == "refused" and upgrade["reason"] == "the photo is unreadable"
    assert state(school, "bo") == ("refused", "audit")
    run(school, enrolment.decide, COURSE, "bo", True, actor="teacher",
        reason="new papers checked", now=utcnow())  # fmt: skip
    assert state(school, "bo") == ("verified", "verified")
    with pytest.raises(NotFound):  # nothing left to decide
        run(
            school, enrolment.decide, COURSE, "bo", False, actor="teacher", reason="x", now=utcnow()
        )
    with pytest.raises(NotFound):
        run(school, enrolment.decide, COURSE, "cy", True, actor="teacher", reason="x", now=utcnow())


def test_two_learners_redeeming_one_code_at_once_spend_it_once(school):
    (code,) = vouchers(school, 1)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def redeem(name):
        barrier.wait()
        try:
            run(school, enrolment.redeem, COURSE, name, code, utcnow())
            outcomes[name] = "upgraded"
        except CampusError as e:
            outcomes[name] = e.message

    threads = [threading.Thread(target=redeem, args=(n,)) for n in ("bo", "cy")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values())[1] == "upgraded", outcomes
    assert "not an unused upgrade code" in sorted(outcomes.values())[0], outcomes
    with school.session(readonly=True) as session:
        assert len(enrolment.awaiting(session, COURSE)) == 1


def test_courses_without_a_verified_track_and_strangers_are_refused(school):
    with pytest.raises(Conflict, match="no verified track"):
        run(school, enrolment.make_vouchers, "free", 1, actor="teacher")
    with pytest.raises(CampusError, match="1 to 500"):
        run(school, enrolment.make_vouchers, COURSE, 0, actor="teacher")
    (code,) = vouchers(school, 1)
    with pytest.raises(Forbidden):  # not enrolled
        run(school, enrolment.redeem, COURSE, "stranger", code, utcnow())
    with school.session(readonly=True) as session:  # the code is still unspent
        assert session.scalar(select(enrolment.Voucher.redeemed_by)) is None


def test_migration_0013_goes_down_and_up_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade

    def tables():
        engine = create_engine(database_url)
        try:
            return {"vouchers", "upgrades"} & set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    upgrade(database_url)
    assert tables() == {"vouchers", "upgrades"}
    command.downgrade(alembic_config(database_url), "0012")
    assert tables() == set()
    upgrade(database_url)
    assert tables() == {"vouchers", "upgrades"}
