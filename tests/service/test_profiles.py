"""The learner's profile on SQLite and PostgreSQL: the display name is checked (length, control
and invisible characters) and kept tidy, language and time zone are checked, a change is all or
nothing and a new name audited; the one rule of the name shown (display name, else username)
gives discussions' author labels and the reports' column."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from sqlalchemy import select

from nbcampus.school.core.audit import AuditEvent
from nbcampus.school.core.errors import CampusError
from nbcampus.school.discussion import api as discussion
from nbcampus.school.profiles import api as profiles
from nbcampus.school.progress import reports
from service.test_discussion import COURSE, TEACHER, forum, learner, run, start  # noqa: F401


def change(database, username, **changes):
    with database.session() as session:
        return profiles.update_profile(session, username, changes)


def view(database, username):
    with database.session(readonly=True) as session:
        return profiles.profile_view(session, username)


def test_a_new_learner_is_shown_by_username_until_they_choose_a_name(database):
    assert view(database, "ana") == {
        "username": "ana",
        "display_name": None,
        "shown_name": "ana",
        "language": None,
        "time_zone": None,
    }
    shown = change(database, "ana", display_name="  Ana   Lima ", language="fr")
    assert shown["display_name"] == "Ana Lima" and shown["shown_name"] == "Ana Lima"
    assert shown["language"] == "fr"
    change(database, "ana", time_zone="Europe/Paris")
    assert view(database, "ana")["time_zone"] == "Europe/Paris"
    assert view(database, "ana")["display_name"] == "Ana Lima"  # other fields kept
    # blank or null: shown by the username again
    assert change(database, "ana", display_name="   ")["shown_name"] == "ana"
    change(database, "ana", display_name="Ana")
    assert change(database, "ana", display_name=None)["shown_name"] == "ana"
    with database.session(readonly=True) as session:
        assert profiles.shown_name(session, "ana") == "ana"
        assert profiles.shown_names(session, []) == {}


@pytest.mark.parametrize(
    "name, says",
    [
        ("A" * 81, "81 characters, at most 80"),
        ("Ana\x00", "character 4 (U+0000) is a control"),
        ("Ana\nLima", "U+000A"),
        ("Ana\u202eamiL", "U+202E"),  # a right-to-left override would spoof the name
        ("An\u200ba", "U+200B"),  # zero-width space
        ("\ue000", "U+E000"),  # private use
    ],
)
def test_display_names_that_are_refused_say_why(database, name, says):
    change(database, "bo", display_name="Bo")
    with pytest.raises(CampusError, match=re.escape(says)) as refused:
        change(database, "bo", display_name=name)
    assert refused.value.status == 422
    assert view(database, "bo")["display_name"] == "Bo"  # nothing written


def test_names_in_every_script_and_markup_stay_text(database):
    # accents, other scripts and combining marks are names; markup is kept as text (every
    # page and the PDF escape or draw it as text)
    for name in ("Zoë Ñúñez", "李小龙", "Ngũgĩ wa Thiong\u2019o", "e\u0301mile", "<b>Bo</b>"):
        assert change(database, "cy", display_name=name)["display_name"] in (
            name,
            "émile",  # NFC: one code point for e + combining acute
        )


def test_language_and_time_zone_are_checked_and_a_change_is_all_or_nothing(database):
    with pytest.raises(CampusError, match="language: 'de' is not one of en, fr"):
        change(database, "ana", language="de")
    for zone in ("Mars/Olympus", "../../etc/passwd", "Europe/paris", ""):
        with pytest.raises(CampusError, match="time_zone: .* is not an IANA time zone"):
            change(database, "ana", time_zone=zone)
    with pytest.raises(CampusError, match="time_zone"):
        change(database, "ana", display_name="Ana", time_zone="Nowhere/Land")
    assert view(database, "ana")["display_name"] is None  # the valid field was not written
    with pytest.raises(CampusError, match="colour: not a profile field"):
        change(database, "ana", colour="red")


def test_a_new_display_name_is_audited(database):
    change(database, "ana", display_name="Ana")
    change(database, "ana", display_name="Ana", language="en")  # same name: no record
    change(database, "ana", display_name="Ana Lima")
    with database.session(readonly=True) as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "profile.display_name")
                .order_by(AuditEvent.id)
            )
        )
    assert [(e.actor, e.details["before"], e.details["after"]) for e in events] == [
        ("ana", None, "Ana"),
        ("ana", "Ana", "Ana Lima"),
    ]


def test_discussions_label_authors_with_the_name_shown(forum):  # noqa: F811
    db = forum()
    change(db, "ana", display_name="Ana <Lima>")
    thread = start(db, learner("ana"), "Where is week 2?")
    run(db, discussion.reply, learner("bo"), thread, "Here.")
    opened = run(db, discussion.open_thread, learner("bo"), thread)
    assert (opened["author"], opened["author_name"]) == ("ana", "Ana <Lima>")
    assert [(p["author"], p["author_name"]) for p in opened["posts"]] == [
        ("ana", "Ana <Lima>"),
        ("bo", "bo"),
    ]
    (listed,) = run(db, discussion.list_threads, learner("bo"), COURSE)["threads"]
    assert listed["author_name"] == "Ana <Lima>"
    # a later change shows everywhere at once (a label, not a copy)
    change(db, "ana", display_name="Ana L.")
    assert run(db, discussion.open_thread, learner("bo"), thread)["author_name"] == "Ana L."
    change(db, "teacher", display_name="Prof. Teach")
    made = run(db, discussion.announce, TEACHER, COURSE, "Welcome", "Hello all")
    assert made["author_name"] == "Prof. Teach"
    (shown,) = run(db, discussion.announcements, learner("ana"), COURSE)
    assert (shown["author"], shown["author_name"]) == ("teacher", "Prof. Teach")


def test_reports_show_the_name_next_to_the_username(forum):  # noqa: F811
    db = forum()
    change(db, "bo", display_name="Bo Martin")
    with db.session(readonly=True) as session:
        rows = {r["username"]: r for r in reports.learner_report(session, COURSE)}
        plan = reports.report_plan(session, COURSE)
    assert rows["bo"]["display_name"] == "Bo Martin"
    assert rows["ana"]["display_name"] == "ana"
    columns = reports.learner_columns(plan)
    assert columns[:2] == ["username", "display_name"]


def test_the_course_home_shows_times_in_the_learners_time_zone(database, make_course):
    from datetime import datetime

    from nbcampus.course.loader import load_course
    from nbcampus.school.core.scopes import LEARN, Permissions
    from nbcampus.school.enrolment import enrolments as enrolment
    from nbcampus.school.publishing.catalog import publish_course
    from nbcampus.service.pages.course_home import home_facts
    from nbcampus.service.pages.discussion_html import when

    # winter in Paris is UTC+1, summer UTC+2; without a zone: UTC as before
    assert ">2027-01-15 17:30 UTC<" in when("2027-01-15T17:30:00+00:00")
    assert ">2027-01-15 18:30 CET<" in when("2027-01-15T17:30:00+00:00", "Europe/Paris")
    assert ">2027-07-15 19:30 CEST<" in when("2027-07-15T17:30:00+00:00", "Europe/Paris")
    assert 'datetime="2027-07-15T17:30:00+00:00"' in when("2027-07-15T17:30:00", "Asia/Tokyo")
    with database.session() as session:
        publish_course(session, load_course(make_course("zoned")))
        enrolment.enrol(session, "zoned", enrolment.Learner("ana"))
    change(database, "ana", time_zone="America/Montreal")
    with database.session(readonly=True) as session:
        facts = home_facts(session, Permissions("ana", [LEARN]), "zoned", datetime.now(UTC))
    assert facts["time_zone"] == "America/Montreal"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv_reports(forum):  # noqa: F811
    from nbcampus.school.progress.dashboards import to_csv

    db = forum()
    change(db, "bo", display_name='=HYPERLINK("http://evil.example","Bo")')
    change(db, "ana", display_name="@Ana")
    with db.session(readonly=True) as session:
        rows = reports.learner_report(session, COURSE)
        columns = reports.learner_columns(reports.report_plan(session, COURSE))
    text = to_csv(rows, columns)
    assert "'=HYPERLINK(" in text and ",'@Ana," in text
    assert ",=HYPERLINK" not in text
    assert rows[1]["display_name"].startswith("=")  # the JSON carries the name as written


def test_pages_label_an_author_with_their_username_when_the_names_differ():
    from nbcampus.service.pages.discussion_html import author

    # a display name cannot pass for someone else's: the username shows beside it, escaped
    assert author({"author": "ana", "author_name": "ana"}) == "ana"
    assert author({"author": "ana", "author_name": "Prof. <b>X</b>"}) == (
        "Prof. &lt;b&gt;X&lt;/b&gt; <span class=handle>@ana</span>"
    )
