"""At-risk nudges and rewards on SQLite and PostgreSQL: a nudge for the inactive learner and
not the active one, once only; a missed-deadline nudge not for one with an extension nor one
who submitted; a module not started; staff's overview and messages; points per module from
lessons, released grades, quizzes and accepted answers; the leaderboard hides learners who
did not opt in; streaks of active weeks; the course file's settings checked with file and line."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from nbcampus.course.loader import CourseFileError, load_course
from nbcampus.school.core.errors import NotFound
from nbcampus.school.core.scopes import LEARN, Permissions
from nbcampus.school.deadlines.api import grant_override
from nbcampus.school.discussion import api as discussion
from nbcampus.school.enrolment import enrolments as rules
from nbcampus.school.enrolment.models import Enrolment
from nbcampus.school.grading.models import Grade
from nbcampus.school.notifications import api as notifications
from nbcampus.school.notifications.models import Nudge
from nbcampus.school.progress.models import ActivityEvent
from nbcampus.school.progress.streaks import streak, week_of
from nbcampus.school.publishing.catalog import publish_course
from nbcampus.school.quizzes.api import publish_quizzes, submit_attempt
from nbcampus.school.rewards import api as rewards
from nbcampus.testing import add_graded_submission

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
LESSON = "lessons/lesson1.ipynb"
REWARDS = {
    "points": {"lesson": 10, "exercise": 50, "quiz": 20, "accepted_answer": 15},
    "leaderboard": True,
}


def run(database, fn, *args, **kwargs):
    with database.session() as session:
        return fn(session, *args, **kwargs)


def publish(database, folder, learners=("ana", "bo", "cy")):
    course = load_course(folder)
    run(database, publish_course, course)
    run(database, publish_quizzes, course)
    for name in learners:
        run(database, rules.enrol, course.id, rules.Learner(name))
    with database.session() as session:
        start = session.scalar(
            select(Enrolment.personal_start).where(
                Enrolment.course_id == course.id, Enrolment.username == "ana"
            )
        )
    return course, start


def activity(database, course_id, username, at, module="week1", seconds=120):
    with database.session() as session:
        session.add(
            ActivityEvent(
                username=username,
                course_id=course_id,
                module_id=module,
                kind="active",
                notebook=f"{course_id}/{LESSON}",
                seconds=seconds,
                count=0,
                at=at,
            )
        )


def nudges_given(database, course_id):
    with database.session() as session:
        rows = session.scalars(select(Nudge).where(Nudge.course_id == course_id))
        return sorted((n.username, n.rule, n.occasion) for n in rows)


def nudge_inbox(database, username):
    listing = run(database, notifications.my_notifications, username, limit=100)
    return [n for n in listing["notifications"] if n["kind"] == "nudge"]


def test_an_inactive_learner_is_nudged_once_and_an_active_one_not(database, make_course):
    course, start = publish(database, make_course("quiet", nudges={"inactive_days": 7}))
    activity(database, course.id, "bo", start + 6 * DAY)
    activity(database, course.id, "cy", start + 1 * DAY, seconds=5)
    assert run(database, notifications.nudge, start + 6 * DAY) == 0  # a week not over yet
    # ana never came (8 days since she enrolled), cy left a week ago; bo was here 2 days ago
    assert run(database, notifications.nudge, start + 8 * DAY + MINUTE) == 2
    assert run(database, notifications.nudge, start + 8 * DAY + HOUR) == 0  # once only
    assert {u for u, _, _ in nudges_given(database, course.id)} == {"ana", "cy"}
    assert nudge_inbox(database, "bo") == []
    [told] = nudge_inbox(database, "ana")
    assert told["title"] == f"We miss you in {course.title}"
    assert "Your next step: Lesson 1 (Week 1)." in told["body"]
    assert told["link"] == f"courses/{course.id}/#module-week1"  # the next step's module
    # cy comes back, then stays away again: a new occasion, a new nudge
    activity(database, course.id, "cy", start + 9 * DAY)
    assert run(database, notifications.nudge, start + 17 * DAY) == 2  # cy and bo now
    assert len(nudge_inbox(database, "cy")) == 2
    assert len(nudge_inbox(database, "ana")) == 1  # the same absence: told once


def test_one_who_did_all_there_is_so_far_is_not_nudged_for_being_away(database, make_course):
    course, start = publish(database, make_course("done", nudges={"inactive_days": 7}), ("ana",))
    activity(database, course.id, "ana", start + DAY)
    with database.session() as session:
        add_graded_submission(session, course.id, "ana")
        submit_attempt(session, course.id, "week1-quiz", "ana", {"q1": 1})
    assert run(database, notifications.nudge_overview, course.id, start + 9 * DAY)["at_risk"] == []
    assert run(database, notifications.nudge, start + 9 * DAY) == 0


def test_two_passes_at_once_nudge_each_learner_once(database, make_course):
    course, start = publish(database, make_course("twice", nudges={"inactive_days": 7}))
    now, barrier, counts = start + 8 * DAY, threading.Barrier(2), []

    def replica():
        barrier.wait()
        counts.append(run(database, notifications.nudge, now))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(counts) in ([0, 3], [1, 2])  # however they interleave: three in all
    for name in ("ana", "bo", "cy"):
        assert len(nudge_inbox(database, name)) == 1


def test_a_missed_deadline_nudges_neither_who_submitted_nor_who_has_an_extension(
    database, make_course
):
    folder = make_course("dated", due_offset_days=7, nudges={"missed_deadline": True})
    course, start = publish(database, folder)
    with database.session() as session:
        add_graded_submission(session, course.id, "cy")  # cy submitted ex1
        grant_override(
            session,
            course.data,
            "ex1",
            start + 12 * DAY,
            granted_by="teacher",
            reason="ill",
            username="bo",
        )
        submit_attempt(session, course.id, "week1-quiz", "bo", {"q1": 1})
        submit_attempt(session, course.id, "week1-quiz", "cy", {"q1": 1})
    assert run(database, notifications.nudge, start + 7 * DAY - MINUTE) == 0
    assert run(database, notifications.nudge, start + 7 * DAY + HOUR) == 1
    assert nudges_given(database, course.id) == [
        ("ana", "missed_deadline", "ex1"),
        ("ana", "missed_deadline", "week1-quiz"),
    ]
    [told] = nudge_inbox(database, "ana")
    assert told["title"] == "You can still catch up"
    assert "Exercise 1 was due" in told["body"] and "It still takes late work until" in told["body"]
    assert run(database, notifications.nudge, start + 8 * DAY) == 0
    # bo's own deadline passes in turn
    assert run(database, notifications.nudge, start + 12 * DAY + MINUTE) == 1
    assert ("bo", "missed_deadline", "ex1") in nudges_given(database, course.id)


def test_a_module_not_started_a_few_days_after_it_opened(database, make_course):
    folder = make_course("begin", nudges={"module_not_started_days": 3})
    course, start = publish(database, folder, ("ana", "bo"))
    activity(database, course.id, "bo", start + DAY)
    assert run(database, notifications.nudge, start + 2 * DAY) == 0
    assert run(database, notifications.nudge, start + 3 * DAY + MINUTE) == 1
    assert nudges_given(database, course.id) == [("ana", "module_not_started", "week1")]
    assert nudge_inbox(database, "ana")[0]["title"] == "A new module is waiting for you"


def test_staff_see_who_is_at_risk_and_message_them(database, make_course):
    course, start = publish(database, make_course("care", nudges={"inactive_days": 7}))
    activity(database, course.id, "bo", start + 6 * DAY)
    now = start + 8 * DAY
    overview = run(database, notifications.nudge_overview, course.id, now)
    assert [line["username"] for line in overview["at_risk"]] == ["ana", "cy"]
    assert overview["at_risk"][0]["reasons"][0]["rule"] == "inactive"
    assert overview["at_risk"][0]["last_nudged_at"] is None
    run(database, notifications.nudge, now)
    sent = run(
        database,
        notifications.message_learners,
        course.id,
        "teacher",
        "Office hours",
        "Drop by on <b>Friday</b>.",
        None,  # the whole at-risk list
        now + MINUTE,
    )
    assert sent == {"sent_to": ["ana", "cy"], "told": 2}
    run(
        database,
        notifications.message_learners,
        course.id,
        "teacher",
        "Hi",
        "Well done",
        ["bo"],
        now,
    )
    assert [n["title"] for n in nudge_inbox(database, "bo")] == ["Hi"]
    assert nudge_inbox(database, "ana")[0]["body"] == "Drop by on <b>Friday</b>."  # inert text
    overview = run(database, notifications.nudge_overview, course.id, now + 2 * MINUTE)
    by_staff = [n for n in overview["nudges"] if n["sent_by"] == "teacher"]
    assert sorted(n["username"] for n in by_staff) == ["ana", "bo", "cy"]
    assert overview["at_risk"][0]["last_nudged_at"] is not None
    with pytest.raises(NotFound, match="not enrolled in care: zoe"):
        run(database, notifications.message_learners, course.id, "t", "Hi", "x", ["zoe"], now)


def test_points_per_module_and_the_leaderboard_hides_who_did_not_opt_in(database, make_course):
    course, start = publish(database, make_course("cooc", rewards=REWARDS))
    now = datetime.now(UTC)
    activity(database, course.id, "ana", now)  # lesson done: 10
    with database.session() as session:
        add_graded_submission(session, course.id, "ana", score=1.0)  # half marks: 25
        add_graded_submission(session, course.id, "cy", score=2.0)  # not released: 0
        for grade in session.scalars(select(Grade).where(Grade.username == "ana")):
            grade.released_at = now
        submit_attempt(session, course.id, "week1-quiz", "ana", {"q1": 1})  # full: 20
    question = run(
        database,
        discussion.start_thread,
        Permissions("bo", [LEARN]),
        course.id,
        title="Why?",
        body="?",
        kind="question",
    )
    _, answer = run(database, discussion.reply, Permissions("ana", [LEARN]), question.id, "So.")
    run(database, discussion.accept, Permissions("bo", [LEARN]), answer.id, True)  # 15
    mine = run(database, rewards.my_points, course.id, "ana", now)
    assert mine["total"] == 70 and mine["accepted_answers"] == 1
    [week1] = mine["modules"]
    assert week1 | {"points": week1["points"]} == {
        "id": "week1",
        "title": "Week 1",
        "lessons_done": 1,
        "lessons": 1,
        "exercises_graded": 1,
        "exercises": 1,
        "quiz_done": True,
        "has_quiz": True,
        "points": 55,
    }
    assert run(database, rewards.my_points, course.id, "cy", now)["total"] == 0
    assert mine["leaderboard"] == {"enabled": True, "opted_in": False}
    assert run(database, rewards.leaderboard, course.id, "ana")["entries"] == []
    run(database, rewards.choose, course.id, "ana", True)
    board = run(database, rewards.choose, course.id, "cy", True)
    assert [(e["rank"], e["username"], e["points"]) for e in board["entries"]] == [
        (1, "ana", 70),
        (2, "cy", 0),
    ]
    seen_by_bo = run(database, rewards.leaderboard, course.id, "bo")
    assert seen_by_bo["opted_in"] is False
    assert "bo" not in {e["username"] for e in seen_by_bo["entries"]}
    run(database, rewards.choose, course.id, "ana", False)
    assert [
        e["username"] for e in run(database, rewards.leaderboard, course.id, "bo")["entries"]
    ] == ["cy"]
    with pytest.raises(NotFound, match="has no rewards"):
        plain, _ = publish(database, make_course("plain"), ("ana",))
        run(database, rewards.my_points, plain.id, "ana", now)


def test_two_first_choices_at_once_make_one_leaderboard_row(database, make_course):
    from nbcampus.school.rewards.models import LeaderboardChoice

    course, _ = publish(database, make_course("both-tabs", rewards=REWARDS), ("ana",))
    gate, errors = threading.Barrier(2), []

    def choose(opted_in: bool) -> None:
        try:
            with database.session() as session:
                gate.wait(timeout=30)
                rewards.choose(session, course.id, "ana", opted_in)
        except Exception as e:  # pragma: no cover - the failure is the assertion below
            errors.append(e)

    threads = [threading.Thread(target=choose, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with database.session() as session:
        rows = session.scalars(
            select(LeaderboardChoice).where(LeaderboardChoice.course_id == course.id)
        ).all()
    assert [r.username for r in rows] == ["ana"]


def test_streaks_count_consecutive_active_weeks(database, make_course):
    monday = datetime(2031, 3, 3, 9, tzinfo=UTC)  # a Monday
    weeks = {week_of(monday - timedelta(weeks=n)) for n in (1, 2, 3, 5)}
    # this week not active yet: the streak still runs to last week
    assert streak(weeks, monday) == {
        "current_weeks": 3,
        "longest_weeks": 3,
        "active_weeks": 4,
        "active_this_week": False,
    }
    assert streak(weeks, monday + timedelta(weeks=1))["current_weeks"] == 0
    course, _ = publish(database, make_course("steady", rewards=REWARDS), ("ana",))
    now = datetime.now(UTC)
    for n in (0, 1, 3):
        activity(database, course.id, "ana", now - timedelta(weeks=n))
    mine = run(database, rewards.my_points, course.id, "ana", now)["streak"]
    assert mine["current_weeks"] == 2 and mine["longest_weeks"] == 2
    assert mine["active_this_week"] is True


def test_bad_engagement_settings_are_refused_with_file_and_line(make_course):
    folder = make_course(
        "wrong", nudges={"inactive_days": 0}, rewards={"points": {"lesson": 1, "badge": 3}}
    )
    with pytest.raises(CourseFileError) as error:
        load_course(folder)
    text = str(error.value)
    assert "course.yml:" in text
    assert "nudges.inactive_days: 0 is less than the minimum of 1" in text
    assert "rewards.points: unknown key 'badge'" in text


def test_the_migration_matches_the_models_and_goes_down_and_up(database_url):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine, inspect

    from nbcampus.school.core.db import alembic_config, upgrade
    from nbcampus.school.core.models import Base

    upgrade(database_url)
    engine = create_engine(database_url)
    ours = {"nudges", "leaderboard_choices"}
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def table_of(diff) -> str | None:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(getattr(part, "table", None), "name", None) or getattr(
                part, "name", None
            )
            if isinstance(part, str):
                name = part
            if name in ours:
                return name
        return None

    assert [d for d in diffs if table_of(d)] == []
    command.downgrade(alembic_config(database_url), "0016")
    assert not ours & set(inspect(create_engine(database_url)).get_table_names())
    upgrade(database_url)
    assert ours <= set(inspect(create_engine(database_url)).get_table_names())
    engine.dispose()
