"""Measures of a course's discussions for the reports: messages posted, questions asked and
answered, time to the first answer, connections between members.

- *messages*: posts (opening posts, replies, comments) that are not hidden;
- *questions asked / answered*: question threads not hidden, and those with a reply from
  someone other than the asker or an accepted answer;
- *time to first answer*: from a question to its first reply by someone else, in minutes;
- *connections*: the distinct members a learner exchanged with (replied to, commented under,
  or got a reply or a comment from);
- *sessions attended*: live sessions staff recorded the learner at.

Per cohort, a learner's messages count in the cohort of their enrolment; staff are in none.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from nbcampus.school.catalog.api import Cohort
from nbcampus.school.discussion.models import (
    COMMENT,
    OPENING,
    QUESTION,
    REPLY,
    Attendance,
    LiveSession,
    Post,
    Thread,
)
from nbcampus.school.enrolment.api import Enrolment

LEARNER_MEASURES = (
    "discussion_messages",
    "questions_asked",
    "questions_answered",
    "discussion_connections",
    "sessions_attended",
)
#: the cohort measures that are counts (summed over cohorts), and then the median
COHORT_COUNTS = (
    "discussion_messages",
    "questions_asked",
    "questions_answered",
    "sessions_attended",
)
COHORT_MEASURES = (*COHORT_COUNTS, "median_minutes_to_first_answer")


def _questions(course_id: str):
    """Question threads of the course whose opening post is not hidden."""
    opening = aliased(Post)
    return (
        select(Thread)
        .join(opening, and_(opening.thread_id == Thread.id, opening.depth == OPENING))
        .where(Thread.course_id == course_id, Thread.kind == QUESTION, opening.hidden_at.is_(None))
    )


def _answered():
    return or_(Thread.answered_at.is_not(None), Thread.accepted_post_id.is_not(None))


def _exchanges(session: Session, course_id: str) -> dict[str, set[str]]:
    """``{member: the other members they exchanged with}``: a comment links its author to the
    reply's, a reply to the thread's opening post's (hidden posts link nobody)."""
    # one pass over the course's visible posts (a join of the posts with themselves costs a
    # lookup per post, and the database's DISTINCT a sort of every pair)
    rows = (
        session.connection()
        .execute(
            select(Post.id, Post.thread_id, Post.parent_id, Post.depth, Post.author).where(
                Post.course_id == course_id, Post.hidden_at.is_(None)
            )
        )
        .all()
    )
    author_of: dict[int, str] = {}
    opening_author: dict[int, str] = {}
    answers: list[tuple[str, int | None, int, int]] = []
    for post_id, thread_id, parent_id, depth, author in rows:
        if depth == OPENING:
            opening_author[thread_id] = author
        else:
            if depth == REPLY:
                author_of[post_id] = author
            answers.append((author, parent_id, thread_id, depth))
    partners: dict[str, set[str]] = {}
    for author, parent_id, thread_id, depth in answers:
        if depth == COMMENT:
            other = author_of.get(parent_id)
        else:
            other = opening_author.get(thread_id)
        if other is not None and other != author:
            partners.setdefault(author, set()).add(other)
            partners.setdefault(other, set()).add(author)
    return partners


def learner_figures(
    session: Session, course_id: str, usernames: Collection[str] | None = None
) -> dict[str, dict[str, int]]:
    """``{username: {measure: value}}`` for the members who took part (others: zeros)."""
    out: dict[str, dict[str, int]] = {}

    def put(rows, measure):
        for username, value in rows:
            if usernames is None or username in usernames:
                out.setdefault(username, dict.fromkeys(LEARNER_MEASURES, 0))[measure] = int(value)

    messages = select(Post.author, func.count()).where(
        Post.course_id == course_id, Post.hidden_at.is_(None)
    )
    put(session.execute(messages.group_by(Post.author)), "discussion_messages")
    questions = _questions(course_id).subquery()
    put(
        session.execute(select(questions.c.author, func.count()).group_by(questions.c.author)),
        "questions_asked",
    )
    answered = _questions(course_id).where(_answered()).subquery()
    put(
        session.execute(select(answered.c.author, func.count()).group_by(answered.c.author)),
        "questions_answered",
    )
    put(
        ((member, len(others)) for member, others in _exchanges(session, course_id).items()),
        "discussion_connections",
    )
    attended = (
        select(Attendance.username, func.count())
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .where(LiveSession.course_id == course_id)
        .group_by(Attendance.username)
    )
    put(session.execute(attended), "sessions_attended")
    return out


def cohort_figures(
    session: Session, course_id: str, cohorts: Collection[str] | None = None
) -> tuple[dict[str | None, dict[str, Any]], dict[str, Any]]:
    """The measures per cohort (by name; learners outside any cohort under None), and over all
    the cohorts asked for (``cohorts``; None: every one)."""
    cohort_of = (
        select(Enrolment.username, Cohort.name.label("cohort"))
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.course_id == course_id)
        .subquery("members")
    )
    keep = (lambda name: True) if cohorts is None else (lambda name: name in cohorts)
    per: dict[str | None, dict[str, Any]] = {}
    minutes: dict[str | None, list[float]] = {}

    def row(name):
        return per.setdefault(
            name, {**dict.fromkeys(COHORT_COUNTS, 0), "median_minutes_to_first_answer": None}
        )

    messages = (
        select(cohort_of.c.cohort, func.count())
        .select_from(Post)
        .join(cohort_of, cohort_of.c.username == Post.author)
        .where(Post.course_id == course_id, Post.hidden_at.is_(None))
        .group_by(cohort_of.c.cohort)
    )
    for name, count in session.execute(messages):
        if keep(name):
            row(name)["discussion_messages"] = int(count)
    attended = (
        select(cohort_of.c.cohort, func.count())
        .select_from(Attendance)
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .join(cohort_of, cohort_of.c.username == Attendance.username)
        .where(LiveSession.course_id == course_id)
        .group_by(cohort_of.c.cohort)
    )
    for name, count in session.execute(attended):
        if keep(name):
            row(name)["sessions_attended"] = int(count)
    questions = _questions(course_id).subquery()
    asked = select(
        cohort_of.c.cohort,
        questions.c.created_at,
        questions.c.answered_at,
        questions.c.accepted_post_id,
    ).join(cohort_of, cohort_of.c.username == questions.c.author)
    for name, created_at, answered_at, accepted in session.execute(asked):
        if not keep(name):
            continue
        line = row(name)
        line["questions_asked"] += 1
        if answered_at is not None or accepted is not None:
            line["questions_answered"] += 1
        if answered_at is not None:
            minutes.setdefault(name, []).append((answered_at - created_at).total_seconds() / 60)
    for name, values in minutes.items():
        row(name)["median_minutes_to_first_answer"] = round(statistics.median(values), 1)
    every = [m for values in minutes.values() for m in values]
    total = {
        **{k: sum(r[k] for r in per.values()) for k in COHORT_COUNTS},
        "median_minutes_to_first_answer": round(statistics.median(every), 1) if every else None,
    }
    return per, total


def accepted_answers(
    session: Session, course_id: str, usernames: Collection[str] | None = None
) -> dict[str, int]:
    """How many of each member's answers were accepted in the course (an answer to one's own
    question does not count; hidden posts do not either), by username."""
    query = (
        select(Post.author, func.count())
        .join(Thread, Thread.accepted_post_id == Post.id)
        .where(
            Thread.course_id == course_id,
            Post.hidden_at.is_(None),
            Post.author != Thread.author,
        )
    )
    if usernames is not None:
        query = query.where(Post.author.in_(list(usernames)))
    return {author: int(n) for author, n in session.execute(query.group_by(Post.author))}
