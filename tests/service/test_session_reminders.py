"""Live-session reminders (issue 14's "live session starting"): shortly before a live session,
the learners it is for (the course's, or only its cohort's) are told once, with the time and
the link; a session further ahead, and anyone outside its cohort, hear nothing yet; two passes
(two replicas) tell each learner once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from nbcampus.school.core.models import utcnow
from nbcampus.school.discussion import api as discussion
from nbcampus.school.notifications import api as notifications

from .test_discussion import COURSE, MENTOR, TEACHER, forum, run  # noqa: F401


def schedule(db, who, title, starts_at, cohort=None):
    extra = {"cohort": cohort} if cohort else {}
    return run(
        db,
        discussion.schedule,
        who,
        COURSE,
        title=title,
        starts_at=starts_at,
        minutes=45,
        meeting_url=f"https://meet.example/{title.split()[0].lower()}",
        **extra,
    )


def told(db, username: str) -> list[dict]:
    with db.session() as session:
        listing = notifications.my_notifications(session, username)
    return [n for n in listing["notifications"] if n["kind"] == "session_starting"]


def test_learners_are_told_once_shortly_before_their_sessions(forum):  # noqa: F811
    db = forum()
    now = utcnow().replace(microsecond=0)
    schedule(db, MENTOR, "Office hours", now + timedelta(minutes=20))
    schedule(db, TEACHER, "Autumn kick-off", now + timedelta(minutes=25), cohort="autumn")
    schedule(db, TEACHER, "Tomorrow's class", now + timedelta(days=1))
    with db.session() as session:
        # ana and bo (spring) hear of the course-wide session, cy (autumn) of both
        assert notifications.remind_sessions(session, timedelta(minutes=30), now) == 4
    for name in ("ana", "bo"):
        [n] = told(db, name)
        assert n["title"] == "Office hours starts in 20 min"
        assert "Join: https://meet.example/office" in n["body"]
        assert n["link"].endswith(f"courses/{COURSE}/")
    assert sorted(n["title"] for n in told(db, "cy")) == [
        "Autumn kick-off starts in 25 min",
        "Office hours starts in 20 min",
    ]
    assert told(db, "eve") == []  # in no course
    # the next pass, and a second replica's at the same moment, tell nobody again
    with db.session() as session:
        assert notifications.remind_sessions(session, timedelta(minutes=30), now) == 0
    with db.session() as session:
        later = now + timedelta(minutes=10)
        assert notifications.remind_sessions(session, timedelta(minutes=30), later) == 0
    assert len(told(db, "ana")) == 1
    # a lead of 0 turns the reminders off
    with db.session() as session:
        assert notifications.remind_sessions(session, timedelta(0), now + timedelta(days=1)) == 0
