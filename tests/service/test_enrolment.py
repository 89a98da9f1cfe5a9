"""Enrolment rules of the four formats, seat caps under concurrency, audit (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.courses import get_course
from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import Conflict, Forbidden, NotFound
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.publishing.catalog import publish_course, sync_catalog


def publish(database, folder):
    with database.session() as session:
        publish_course(session, load_course(folder))


def enrol(database, course_id, username, **kwargs):
    groups = frozenset(kwargs.pop("groups", ()))
    email = kwargs.pop("email", None)
    with database.session() as session:
        e = rules.enrol(session, course_id, rules.Learner(username, groups, email), **kwargs)
        return e.status, e.cohort.name if e.cohort else None


def test_mooc_is_open_to_anyone(database, make_course):
    publish(database, make_course("open-mooc"))
    assert enrol(database, "open-mooc", "ana") == ("enrolled", "self-paced")
    # enrolling twice changes nothing
    assert enrol(database, "open-mooc", "ana") == ("enrolled", "self-paced")
    with database.session() as session:
        assert rules.seats_taken(session, "open-mooc") == 1


def test_unknown_course(database):
    with pytest.raises(NotFound, match="no course 'nope'"):
        enrol(database, "nope", "ana")


def test_cooc_admits_its_organisation_only(database, make_course):
    org = {
        "name": "Acme",
        "email_domains": ["acme.example"],
        "hub_groups": ["acme"],
        "partners": ["globex"],
    }
    folder = make_course(
        "acme-course",
        fmt="cooc",
        enrolment={"rule": "organisation", "organisation": org},
        branding={"organisation": "Acme"},
    )
    publish(database, folder)
    with pytest.raises(Forbidden, match="open to Acme"):
        enrol(database, "acme-course", "outsider", email="someone@elsewhere.example")
    assert enrol(database, "acme-course", "ana", email="ana@acme.example")[0] == "enrolled"
    # a username that looks like an address proves nothing (issue 17, defect 1: it admitted)
    with pytest.raises(Forbidden, match="open to Acme"):
        enrol(database, "acme-course", "bo@ACME.example")
    assert enrol(database, "acme-course", "bo@ACME.example", email="bo@ACME.example")[0] == (
        "enrolled"
    )
    assert enrol(database, "acme-course", "cy", groups={"acme"})[0] == "enrolled"
    assert enrol(database, "acme-course", "di", groups={"globex"})[0] == "enrolled"  # partner


def test_spoc_needs_code_or_roster_and_holds_its_cap(database, make_course):
    folder = make_course(
        "small-spoc",
        fmt="spoc",
        enrolment={
            "rule": "invite",
            "invite_codes": ["OPEN-SESAME"],
            "seat_cap": 2,
            "waitlist": False,
        },
        roster=["listed"],
    )
    publish(database, folder)
    with pytest.raises(Forbidden, match="by invitation"):
        enrol(database, "small-spoc", "ana")
    with pytest.raises(Forbidden, match="not valid"):
        enrol(database, "small-spoc", "ana", code="WRONG-CODE")
    assert enrol(database, "small-spoc", "ana", code="OPEN-SESAME")[0] == "enrolled"
    assert enrol(database, "small-spoc", "listed")[0] == "enrolled"  # on the roster, no code
    with pytest.raises(Conflict, match="full \\(2 seats\\)"):
        enrol(database, "small-spoc", "late", code="OPEN-SESAME")


def test_waitlist_and_promotion_when_a_seat_frees(database, make_course):
    folder = make_course(
        "circle", fmt="sooc", enrolment={"rule": "open", "seat_cap": 1, "waitlist": True}
    )
    publish(database, folder)
    assert enrol(database, "circle", "first")[0] == "enrolled"
    assert enrol(database, "circle", "second")[0] == "waitlisted"
    assert enrol(database, "circle", "third")[0] == "waitlisted"
    with database.session() as session:
        rules.unenrol(session, "circle", "first", actor="first", reason="no time")
    with database.session() as session:
        status = dict(session.execute(select(Enrolment.username, Enrolment.status)).all())
        assert status == {"first": "unenrolled", "second": "enrolled", "third": "waitlisted"}
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["enrolment.unenrolled", "enrolment.promoted"]


def test_reenrol_keeps_personal_start(database, make_course):
    publish(database, make_course("mooc2"))
    enrol(database, "mooc2", "ana")
    with database.session() as session:
        first = session.scalar(select(Enrolment.personal_start))
        rules.unenrol(session, "mooc2", "ana", actor="ana")
    assert enrol(database, "mooc2", "ana")[0] == "enrolled"
    with database.session() as session:
        # re-enrolling does not reset the learner's clock (no free extension)
        assert session.scalar(select(Enrolment.personal_start)) == first


def test_cohort_runs_move_and_track_are_audited(database, make_course):
    today = datetime.now(UTC).date()
    runs = [
        {
            "id": "old-run",
            "start": str(today - timedelta(days=60)),
            "end": str(today - timedelta(days=1)),
        },
        {
            "id": "now-run",
            "start": str(today - timedelta(days=3)),
            "end": str(today + timedelta(days=40)),
        },
        {
            "id": "next-run",
            "start": str(today + timedelta(days=50)),
            "end": str(today + timedelta(days=90)),
        },
    ]
    publish(database, make_course("runs", pacing={"mode": "cohort", "runs": runs}))
    assert enrol(database, "runs", "ana") == ("enrolled", "now-run")
    with database.session() as session:
        rules.move(
            session, "runs", "ana", "next-run", actor="teacher", reason="asked to start later"
        )
        rules.set_track(
            session, "runs", "ana", "verified", actor="teacher", reason="paid at the desk"
        )
        with pytest.raises(NotFound):
            rules.move(session, "runs", "ana", "no-such-run", actor="teacher", reason="x")
    with database.session() as session:
        e = session.scalar(select(Enrolment))
        assert (e.cohort.name, e.track) == ("next-run", "verified")
        events = list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.subject == "ana").order_by(AuditEvent.id)
            )
        )
        moved = [ev for ev in events if ev.action == "enrolment.moved"][0]
        assert (moved.actor, moved.reason, moved.details) == (
            "teacher",
            "asked to start later",
            {"from": "now-run", "to": "next-run"},
        )
        assert any(
            ev.action == "enrolment.track" and ev.details["to"] == "verified" for ev in events
        )


def test_invalid_course_keeps_previous_version(database, make_course):
    folder = make_course("evolving")
    report = sync_catalog(database, make_course.root)
    assert report.published == ["evolving"]
    text = (folder / "course.yml").read_text()
    (folder / "course.yml").write_text(text.replace("title: Course evolving", "title: [broken"))
    report = sync_catalog(database, make_course.root)
    assert "evolving" in report.rejected and report.rejected["evolving"][0].line > 0
    with database.session() as session:
        assert get_course(session, "evolving").title == "Course evolving"


@pytest.mark.parametrize("waitlist", [False, True])
def test_seat_cap_holds_under_200_concurrent_requests(database, make_course, waitlist):
    folder = make_course(
        "race", fmt="sooc", enrolment={"rule": "open", "seat_cap": 25, "waitlist": waitlist}
    )
    publish(database, folder)

    def attempt(i):
        try:
            return enrol(database, "race", f"learner{i:03d}")[0]
        except Conflict as e:
            return f"refused: {e.message}"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(200)))
    assert outcomes.count("enrolled") == 25
    rest = (
        "waitlisted"
        if waitlist
        else "refused: Course race is full (25 seats) and has no waiting list"
    )
    assert outcomes.count(rest) == 175
    with database.session() as session:
        count = session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.status == "enrolled")
        )
        assert count == 25


def test_seed_enrols_once_and_never_puts_a_leaver_back(database, make_course):
    from nbcampus.school.publishing.catalog import seed_enrolments

    publish(database, make_course("seeded"))
    assert seed_enrolments(database, {"ana": ["seeded", "nope"]}) == [
        "ana:seeded:enrolled",
        "ana:nope: no course 'nope'",
    ]
    with database.session() as session:
        rules.unenrol(session, "seeded", "ana", actor="ana", reason="not for me")
    assert seed_enrolments(database, {"ana": ["seeded"]}) == []
    with database.session() as session:
        assert session.scalar(select(Enrolment.status)) == "unenrolled"


def test_readonly_transactions_run_beside_a_writer(database, make_course):
    """A reader is not blocked by a transaction holding the write lock (SQLite WAL)."""
    import threading

    publish(database, make_course("busy"))
    writing, read_done = threading.Event(), threading.Event()
    outcome = {}

    def writer():
        with database.session() as session:
            rules.enrol(session, "busy", rules.Learner("writer"))
            writing.set()
            # hold the write lock until the reader is through (or give up after 10 s)
            outcome["reader_finished_while_locked"] = read_done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    with database.session(readonly=True) as session:
        assert get_course(session, "busy").title == "Course busy"
    read_done.set()
    thread.join()
    assert outcome["reader_finished_while_locked"] is True


def test_a_run_whose_work_has_all_closed_admits_no_one(database, make_course):
    """The run has not ended, but every exercise and quiz of it closed (server clock): a new
    learner could submit nothing, so enrolment refuses and says why."""
    today = datetime.now(UTC).date()
    runs = [
        {
            "id": "autumn",
            "start": str(today - timedelta(days=30)),
            "end": str(today + timedelta(days=40)),
        }
    ]
    folder = make_course(
        "late-spoc",
        fmt="spoc",
        enrolment=SPOC_RULE,
        pacing={"mode": "cohort", "runs": runs},
    )
    publish(database, folder)
    with pytest.raises(Conflict, match=r"run autumn of Course late-spoc closed on \d{4}-\d\d-\d\d"):
        enrol(database, "late-spoc", "ana", code="LET-ME-IN")
    with database.session() as session:
        assert rules.seats_taken(session, "late-spoc") == 0
    # a run whose exercise is still open admits
    runs[0]["start"] = str(today - timedelta(days=8))
    folder = make_course(
        "open-spoc", fmt="spoc", enrolment=SPOC_RULE, pacing={"mode": "cohort", "runs": runs}
    )
    publish(database, folder)
    assert enrol(database, "open-spoc", "ana", code="LET-ME-IN") == ("enrolled", "autumn")


SPOC_RULE = {"rule": "invite", "invite_codes": ["LET-ME-IN"], "seat_cap": 5}
COOC = {
    "enrolment": {"rule": "organisation", "organisation": {"name": "Acme", "hub_groups": ["acme"]}},
    "branding": {"organisation": "Acme"},
}
FORMATS = {"spoc": {"enrolment": SPOC_RULE}, "cooc": COOC}


@pytest.mark.parametrize("fmt", ["spoc", "cooc"])
def test_a_course_without_an_audit_track_enrols_on_the_verified_track(database, make_course, fmt):
    folder = make_course(
        f"no-audit-{fmt}", fmt=fmt, tracks={"audit": False, "verified": True}, **FORMATS[fmt]
    )
    publish(database, folder)
    with database.session() as session:
        e = rules.enrol(session, f"no-audit-{fmt}", rules.Learner("ana"), admit=True)
        assert e.track == "verified"
    publish(database, make_course(f"audit-{fmt}", fmt=fmt, **FORMATS[fmt]))
    with database.session() as session:
        e = rules.enrol(session, f"audit-{fmt}", rules.Learner("ana"), admit=True)
        assert e.track == "audit"


def test_a_withdrawn_course_is_nobodys_current_course(database, make_course):
    """A course taken out of the catalog (inactive) keeps its enrolments on record, but a
    learner's current courses (their workspace, panel and calendar) no longer include it: before,
    ``GET /api/me/enrolments`` answered 404 for everyone enrolled in it."""
    from nbcampus.school.catalog.models import CourseRecord
    from nbcampus.school.enrolment.roll import enrolments_of

    for course in ("kept", "withdrawn"):
        publish(database, make_course(course))
        assert enrol(database, course, "ana") == ("enrolled", "self-paced")
    with database.session() as session:
        session.get(CourseRecord, "withdrawn").active = False
    with database.session(readonly=True) as session:
        assert [e.course_id for e in enrolments_of(session, "ana")] == ["kept"]
        kept = session.scalar(select(func.count()).select_from(Enrolment))
    assert kept == 2
