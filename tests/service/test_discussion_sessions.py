"""Announcements, live sessions and the calendar feed (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nbcampus.school.core.errors import CampusError, Forbidden, NotFound
from nbcampus.school.core.models import utcnow
from nbcampus.school.core.scopes import LEARN, Permissions, course_scope
from nbcampus.school.discussion import api as discussion

from .test_discussion import COURSE, MENTOR, TEACHER, forum, learner, run  # noqa: F401

MANAGER = Permissions("cm", [LEARN, course_scope("community", COURSE)])


def test_announcements_to_the_course_or_one_cohort(forum):  # noqa: F811
    db = forum()
    run(db, discussion.announce, TEACHER, COURSE, "Welcome", "Read **this**")
    run(db, discussion.announce, MANAGER, COURSE, "Autumn only", "<script>x()</script>", "autumn")
    with pytest.raises(Forbidden, match="only community managers and instructors announce"):
        run(db, discussion.announce, MENTOR, COURSE, "t", "b")
    with pytest.raises(Forbidden):
        run(db, discussion.announce, learner("ana"), COURSE, "t", "b")
    spring = run(db, discussion.announcements, learner("ana"), COURSE)
    assert [a["title"] for a in spring] == ["Welcome"]
    assert spring[0]["html"] == "<p>Read <strong>this</strong></p>\n"
    autumn = run(db, discussion.announcements, learner("cy"), COURSE)
    assert [a["title"] for a in autumn] == ["Autumn only", "Welcome"]
    assert "<script" not in autumn[0]["html"] and autumn[0]["cohort"] == "autumn"
    with pytest.raises(Forbidden):
        run(db, discussion.announcements, learner("eve"), COURSE)


def test_live_sessions_and_the_calendar_feed(forum):  # noqa: F811
    db = forum()
    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    made = run(
        db,
        discussion.schedule,
        MENTOR,
        COURSE,
        title="Office hours; Q&A, week 1",
        starts_at=soon,
        minutes=60,
        meeting_url="https://meet.example/abc",
    )
    assert made["ends_at"] == (soon + timedelta(hours=1)).isoformat()
    run(
        db,
        discussion.schedule,
        TEACHER,
        COURSE,
        title="Autumn kick-off",
        starts_at=soon,
        minutes=30,
        meeting_url="https://meet.example/k",
        cohort="autumn",
    )
    run(
        db,
        discussion.schedule,
        TEACHER,
        COURSE,
        title="Last week",
        starts_at=soon - timedelta(days=9),
        minutes=30,
        meeting_url="https://meet.example/old",
    )
    for bad, message in (
        ({"meeting_url": "javascript:alert(1)"}, "https:// link"),
        ({"meeting_url": "http://meet.example"}, "https:// link"),
        ({"minutes": 0}, "minutes"),
    ):
        args = {
            "title": "t",
            "starts_at": soon,
            "minutes": 30,
            "meeting_url": "https://m.example",
            **bad,
        }
        with pytest.raises(CampusError, match=message):
            run(db, discussion.schedule, TEACHER, COURSE, **args)
    with pytest.raises(Forbidden):
        run(
            db,
            discussion.schedule,
            learner("ana"),
            COURSE,
            title="t",
            starts_at=soon,
            minutes=5,
            meeting_url="https://m.example",
        )
    assert [s["title"] for s in run(db, discussion.upcoming_sessions, learner("ana"), COURSE)] == [
        "Office hours; Q&A, week 1"
    ]
    assert len(run(db, discussion.upcoming_sessions, learner("ana"), COURSE, True)) == 2

    key = run(db, discussion.new_key, "ana")
    ics = run(db, lambda s: discussion.calendar(s, discussion.key_owner(s, key)))
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:forum: Office hours\\; Q&A\\, week 1\r\n" in ics
    assert f"DTSTART:{soon.strftime('%Y%m%dT%H%M%SZ')}" in ics
    assert "Autumn kick-off" not in ics and "Last week" not in ics
    assert "SUMMARY:forum: ex1 due" in ics  # the learner's own deadlines
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    # a new key revokes the old one; anything else opens nothing
    newer = run(db, discussion.new_key, "ana")
    with pytest.raises(NotFound):
        run(db, discussion.key_owner, key)
    assert run(db, discussion.key_owner, newer) == "ana"
    with pytest.raises(NotFound):
        run(db, discussion.key_owner, "guess")


def test_attendance_is_recorded_by_staff_and_counted_in_the_reports(forum):  # noqa: F811
    from nbcampus.school.progress import api as reports

    db = forum()
    at = utcnow() - timedelta(days=1)
    first = run(
        db,
        discussion.schedule,
        TEACHER,
        COURSE,
        title="Week 1 class",
        starts_at=at,
        minutes=60,
        meeting_url="https://meet.example/1",
    )["id"]
    second = run(
        db,
        discussion.schedule,
        TEACHER,
        COURSE,
        title="Week 2 class",
        starts_at=at,
        minutes=60,
        meeting_url="https://meet.example/2",
    )["id"]
    assert run(db, discussion.record_attendance, MENTOR, first, ["ana", "cy"]) == ["ana", "cy"]
    assert run(db, discussion.record_attendance, MENTOR, second, ["ana", "ana"]) == ["ana"]
    with pytest.raises(CampusError, match="not enrolled in forum: eve, zed"):
        run(db, discussion.record_attendance, TEACHER, first, ["bo", "zed", "eve"])
    with pytest.raises(Forbidden):
        run(db, discussion.record_attendance, learner("ana"), first, ["ana"])
    with pytest.raises(NotFound):
        run(db, discussion.record_attendance, TEACHER, 999999, ["ana"])
    # nothing of the refused call was written (bo is not marked)
    assert run(db, discussion.record_attendance, TEACHER, first, ["cy"], False) == ["ana"]
    lines = {r["username"]: r for r in run(db, reports.learner_report, COURSE)}
    assert (lines["ana"]["sessions_attended"], lines["bo"]["sessions_attended"]) == (2, 0)
    report = run(db, reports.cohort_report, COURSE)
    rows = {r["cohort"]: r for r in report["cohorts"]}
    assert (rows["spring"]["sessions_attended"], rows["autumn"]["sessions_attended"]) == (2, 0)
    assert report["total"]["sessions_attended"] == 2
