"""Notifications on SQLite and PostgreSQL: what the school's events tell whom, never a thread
one may not see; preferences; deadline reminders on each learner's own due date; the
migration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nbcampus.course.loader import load_course
from nbcampus.school.catalog.api import get_course
from nbcampus.school.catalog.models import Cohort
from nbcampus.school.certificates.api import issue_eligible
from nbcampus.school.core.errors import CampusError, NotFound
from nbcampus.school.core.events import bus
from nbcampus.school.core.scopes import LEARN, Permissions, course_scope
from nbcampus.school.deadlines.api import grant_override
from nbcampus.school.discussion import api as discussion
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.exchange.models import Submission
from nbcampus.school.grading.feedback import keep_pending, release
from nbcampus.school.grading.models import Grade
from nbcampus.school.grading.queue import set_cell_score
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications import subscribers
from nbcampus.school.notifications.models import Notification, Reminder
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.quizzes.api import publish_quizzes, submit_attempt
from nbcampus.testing import add_graded_submission

COURSE = "forum"
TEACHER = Permissions("teacher", [LEARN, course_scope("teach", COURSE)])
HOUR = timedelta(hours=1)


def learner(name: str) -> Permissions:
    return Permissions(name, [LEARN])


@pytest.fixture(autouse=True)
def subscribed():
    """The notification subscribers on the school's bus (the installed entry points may predate
    them)."""
    subscribers.subscribe(bus)


def run(database, fn, *args, **kwargs):
    with database.session() as session:
        return fn(session, *args, **kwargs)


def inbox(database, username: str) -> list[dict]:
    return run(database, notifications.my_notifications, username, limit=100)["notifications"]


@pytest.fixture
def forum(database, make_course):
    """Two runs: ana and bo in spring, cy in autumn; the teacher teaches."""
    today = date.today()
    runs = [
        {
            "id": "spring",
            "start": str(today - timedelta(days=5)),
            "end": str(today + timedelta(60)),
        },
        {"id": "autumn", "start": str(today + timedelta(90)), "end": str(today + timedelta(150))},
    ]
    folder = make_course(COURSE, pacing={"mode": "cohort", "runs": runs})
    run(database, publish_course, load_course(folder))
    for name in ("ana", "bo", "cy"):
        run(database, rules.enrol, COURSE, rules.Learner(name))
    run(database, rules.move, COURSE, "cy", "autumn", actor="teacher", reason="later run")
    return database


def test_replies_and_mentions_reach_only_those_who_may_see_the_thread(forum):
    thread = run(forum, discussion.start_thread, learner("ana"), COURSE, title="Loops", body="?")
    run(forum, discussion.set_following, learner("bo"), thread.id, True)
    # cy (autumn) is mentioned but may not see a spring thread: no notification, no leak
    run(forum, discussion.reply, learner("bo"), thread.id, "Try range(), @ana and @cy")
    [mention] = inbox(forum, "ana")
    assert mention["kind"] == "mention" and mention["title"] == "bo mentioned you in “Loops”"
    assert mention["body"] == "Try range(), @ana and @cy"  # the text as written, not HTML
    assert mention["link"] == f"courses/{COURSE}/discussion/{thread.id}"
    assert inbox(forum, "cy") == [] and inbox(forum, "bo") == []  # nor the author
    run(forum, discussion.reply, learner("ana"), thread.id, "<b>thanks</b>")
    [reply] = inbox(forum, "bo")
    assert reply["kind"] == "reply" and reply["body"] == "<b>thanks</b>"  # inert text


def test_a_private_question_tells_no_other_learner_and_its_answer_tells_the_asker(forum):
    thread = run(
        forum,
        discussion.start_thread,
        learner("ana"),
        COURSE,
        title="My grade",
        body="Why? @bo",
        kind="question",
        private=True,
    )
    assert inbox(forum, "bo") == []  # mentioned in a private question he may not see
    run(forum, discussion.reply, TEACHER, thread.id, "Because of the late policy, @bo.")
    assert inbox(forum, "bo") == []
    [answer] = inbox(forum, "ana")
    assert answer["kind"] == "private_answer"


def test_announcements_reach_their_cohort_only(forum):
    run(forum, discussion.announce, TEACHER, COURSE, "Exam moved", "To Friday.", cohort="spring")
    assert [n["kind"] for n in inbox(forum, "ana")] == ["announcement"]
    assert inbox(forum, "cy") == []


def test_extensions_are_told_to_their_learner(forum):
    data = run(forum, get_course, COURSE).data
    due = datetime(2031, 1, 1, 12, tzinfo=UTC)
    run(forum, grant_override, data, "ex1", due, granted_by="t", reason="ill", username="ana")
    [extended] = inbox(forum, "ana")
    assert extended["kind"] == "deadline_extended" and "2031-01-01 12:00 UTC" in extended["body"]
    # a cohort's new date is no personal extension
    with forum.session() as session:
        cohort_id = session.scalar(select(Cohort.id).where(Cohort.name == "spring"))
        grant_override(session, data, "ex1", due, granted_by="t", reason="all", cohort_id=cohort_id)
    assert inbox(forum, "bo") == []


def test_released_feedback_a_changed_grade_and_a_certificate_are_told(forum, tmp_path):
    with forum.session() as session:
        sub_id = add_graded_submission(session, COURSE, "ana", score=2.0)
    keep_pending(tmp_path, sub_id, {"ex1.html": b"<p>well done</p>"}, {})
    with forum.session() as session:
        submission = session.get(Submission, sub_id)
        grade = session.scalar(select(Grade).where(Grade.submission_id == sub_id))
        assert release(session, tmp_path, submission, grade, actor="teacher")
    [released] = inbox(forum, "ana")
    assert released["kind"] == "feedback_released" and "2 of 2 points" in released["body"]
    # once released, a change of the grade is news
    with forum.session() as session:
        grade = session.scalar(select(Grade).where(Grade.submission_id == sub_id))
        grade.cells = [
            {"notebook": "ex1", "grade_id": "a", "max_points": 2.0, "points": 2.0, "kind": "auto"}
        ]
    run(forum, set_cell_score, sub_id, "ex1", "a", 1.0, None, actor="teacher", reason="typo")
    assert inbox(forum, "ana")[0]["kind"] == "grade_changed"
    # the verified track makes her eligible: her certificate is issued and told
    run(forum, rules.set_track, COURSE, "ana", "verified", actor="ana", reason="paid")
    run(forum, issue_eligible, COURSE, actor="teacher", usernames=["ana"])
    certificate = [n for n in inbox(forum, "ana") if n["kind"] == "certificate_issued"]
    assert len(certificate) == 1 and certificate[0]["link"].startswith("verify/")


def test_preferences_turn_a_kind_off_per_course(forum):
    run(
        forum,
        notifications.update_preferences,
        "bo",
        {"courses": {COURSE: {"reply": {"lab": False, "email": False}}}},
    )
    thread = run(forum, discussion.start_thread, learner("ana"), COURSE, title="T", body="b")
    run(forum, discussion.set_following, learner("bo"), thread.id, True)
    run(forum, discussion.reply, learner("ana"), thread.id, "more")
    assert inbox(forum, "bo") == []
    view = run(forum, notifications.preferences_view, "bo")
    assert view["courses"][COURSE]["reply"] == {"lab": False, "email": False}
    assert view["courses"][COURSE]["mention"] == {"lab": True, "email": True}
    with pytest.raises(CampusError, match="digest"):
        run(forum, notifications.update_preferences, "bo", {"digest": "hourly"})
    with pytest.raises(CampusError, match="not an e-mail address"):
        run(forum, notifications.update_preferences, "bo", {"email": "bo at home"})
    with pytest.raises(NotFound):
        run(forum, notifications.update_preferences, "bo", {"courses": {"nope": {}}})


def test_read_marks_and_paging(forum):
    for i in range(5):
        run(forum, notifications.notify, "ana", "nudge", COURSE, f"n{i}", "text")
    page = run(forum, notifications.my_notifications, "ana", limit=2, offset=1)
    assert [n["title"] for n in page["notifications"]] == ["n3", "n2"]
    assert page["unread"] == 5 and page["total"] == 5
    first = page["notifications"][0]["id"]
    assert run(forum, notifications.mark_read, "ana", [first]) == 4
    with pytest.raises(NotFound, match="no notification"):  # not hers
        run(forum, notifications.mark_read, "bo", [first])
    assert run(forum, notifications.mark_read, "ana", everything=True) == 0


def reminders(database, now):
    return run(database, notifications.remind, notifications.DEFAULT_OFFSETS, now)


def test_a_reminder_before_ones_own_deadline_once_and_not_after_submitting(database, make_course):
    folder = make_course("paced", due_offset_days=7)  # the exercise and the quiz: due in 7 days
    course = load_course(folder)
    run(database, publish_course, course)
    run(database, publish_quizzes, course)
    for name in ("ana", "bo", "cy"):
        run(database, rules.enrol, course.id, rules.Learner(name))
    with database.session() as session:
        start = session.scalar(select(Enrolment.personal_start).where(Enrolment.username == "ana"))
        add_graded_submission(session, course.id, "bo")  # bo submitted the exercise
        submit_attempt(session, course.id, "week1-quiz", "bo", {"q1": 1})  # and took the quiz
        grant_override(
            session,
            course.data,
            "ex1",
            start + timedelta(days=12),
            granted_by="teacher",
            reason="ill",
            username="cy",
        )
    due = start + timedelta(days=7)
    assert reminders(database, due - 60 * HOUR) == 0  # too early for anyone
    # 48 h before: ana of both; cy of the quiz only (her exercise is later); bo of nothing
    assert reminders(database, due - 47 * HOUR) == 3
    assert reminders(database, due - 46 * HOUR) == 0  # never twice
    assert reminders(database, due - 5 * HOUR) == 3  # 6 h before
    kinds = [n for n in inbox(database, "ana") if n["kind"] == "deadline_reminder"]
    assert sorted(n["title"] for n in kinds) == [
        "Exercise 1 is due in 47 hours",
        "Exercise 1 is due in 5 hours",
        "Quiz 1 is due in 47 hours",
        "Quiz 1 is due in 5 hours",
    ]
    assert not [n for n in inbox(database, "bo") if n["kind"] == "deadline_reminder"]
    cy = [n["title"] for n in inbox(database, "cy") if n["kind"] == "deadline_reminder"]
    assert sorted(cy) == ["Quiz 1 is due in 47 hours", "Quiz 1 is due in 5 hours"]
    with database.session() as session:
        rows = session.scalars(select(Reminder).where(Reminder.username == "ana")).all()
        assert sorted((r.item_id, r.offset_minutes) for r in rows) == [
            ("ex1", 360),
            ("ex1", 2880),
            ("week1-quiz", 360),
            ("week1-quiz", 2880),
        ]


def test_a_late_pass_gives_only_the_nearest_reminder(database, make_course):
    course = load_course(make_course("late", due_offset_days=7))
    run(database, publish_course, course)
    run(database, rules.enrol, course.id, rules.Learner("ana"))
    with database.session() as session:
        start = session.scalar(select(Enrolment.personal_start))
    assert reminders(database, start + timedelta(days=7) - 3 * HOUR) == 2  # exercise, quiz
    assert reminders(database, start + timedelta(days=7) - 2 * HOUR) == 0
    with database.session() as session:
        assert session.scalar(select(Notification.title)).endswith("due in 3 hours")


def test_migration_0014_goes_down_and_up_again(database_url):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade

    ours = {
        "notifications",
        "mail_outbox",
        "notification_preferences",
        "mail_profiles",
        "deadline_reminders",
    }

    def tables():
        engine = create_engine(database_url)
        try:
            return set(inspect(engine).get_table_names()) & ours
        finally:
            engine.dispose()

    upgrade(database_url)
    assert tables() == ours
    command.downgrade(alembic_config(database_url), "0013")
    assert tables() == set()
    upgrade(database_url)
    assert tables() == ours


def test_the_hubs_address_wins_over_the_learners_own(forum):
    run(forum, notifications.update_preferences, "ana", {"email": "ana@home.example"})
    assert run(forum, notifications.record_hub_address, "ana", "ana@school.example")
    assert not run(forum, notifications.record_hub_address, "ana", "ana@school.example")
    view = run(forum, notifications.preferences_view, "ana")
    assert (view["email"], view["email_source"]) == ("ana@school.example", "hub")
    with pytest.raises(CampusError, match="comes from your hub account"):
        run(forum, notifications.update_preferences, "ana", {"email": "other@x.example"})
    assert not run(forum, notifications.record_hub_address, "bo", "not an address")
