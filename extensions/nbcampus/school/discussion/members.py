"""Who takes part in a course's discussions and what each one may see.

A viewer is a member of the course: an enrolled learner, or staff (instructors, TAs, mentors,
community managers, admins; training managers read the reports' measures, not the threads). Staff see every thread, private questions and hidden posts;
a learner sees the threads of their own cohort and the course-wide ones where discussions
are divided (the default), every thread where the course file makes them shared, never the
private questions of others nor hidden posts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import BindParameter, ColumnElement, Integer, and_, bindparam, false, or_, true
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord, get_course
from nbcampus.school.core.api import Forbidden, Permissions
from nbcampus.school.discussion.models import Post, Thread
from nbcampus.school.enrolment.api import find_enrolment, is_enrolled

#: at most this many members are mentioned in one post (the rest is text)
MAX_MENTIONS = 20
MENTION = re.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9._@+-]{0,127})")


@dataclass(frozen=True)
class Viewer:
    """One member of one course, as the discussion rules see them."""

    username: str
    course_id: str
    #: their cohort (None for staff)
    cohort_id: int | None
    #: sees everything: private questions, hidden posts, other cohorts
    staff: bool
    #: answers with authority, accepts answers, pins, closes, hides, mutes
    moderator: bool
    #: posts announcements
    community: bool
    #: whether the course divides discussions by cohort
    divided: bool


def divided(course: CourseRecord) -> bool:
    """Whether the course divides its discussions by cohort (its course file says so)."""
    return (course.data.get("discussion") or {}).get("cohorts", "divided") == "divided"


def course_staff(course: CourseRecord) -> set[str]:
    """The people the course file names as staff of its discussions."""
    data = course.data
    return (
        {p["username"] for p in data.get("instructors", [])}
        | set(data.get("tas", []))
        | set(data.get("mentors", []))
        | set(data.get("community_managers", []))
    )


def viewer(session: Session, permissions: Permissions, course_id: str) -> Viewer:
    """The caller as a member of the course; Forbidden (403) for someone not in it."""
    course = get_course(session, course_id)
    moderator = permissions.can("moderate", course_id)
    # staff of the discussions: instructors, TAs, mentors, community managers, admins; a
    # training manager's report scope shows the measures, not private questions
    staff = moderator
    cohort_id = None
    if not staff:
        try:  # only an active enrolment makes a member
            enrolment = find_enrolment(session, course_id, permissions.username, active=True)
        except Forbidden:
            raise Forbidden(f"{permissions.username} is not in course {course_id!r}") from None
        cohort_id = enrolment.cohort_id
    return Viewer(
        username=permissions.username,
        course_id=course_id,
        cohort_id=cohort_id,
        staff=staff,
        moderator=moderator,
        community=permissions.can("community", course_id),
        divided=divided(course),
    )


def params(who: Viewer) -> dict[str, object]:
    """The values of the viewer's bound parameters (``:viewer_course``, ``:viewer``,
    ``:viewer_cohort``): a statement built once for viewers of one kind (``who.staff``,
    ``who.divided``) runs for any of them with these."""
    return {"viewer_course": who.course_id, "viewer": who.username, "viewer_cohort": who.cohort_id}


def me(who: Viewer) -> BindParameter[str]:
    """The viewer's username as a bound parameter (see params)."""
    return bindparam("viewer", who.username)


def visible_threads(who: Viewer) -> ColumnElement[bool]:
    """The SQL condition on Thread of the threads ``who`` may see in their course: the one
    statement of the rule, for listing, opening and counting alike (its values are the bound
    parameters of ``params``)."""
    in_course = Thread.course_id == bindparam("viewer_course", who.course_id)
    if who.staff:
        return in_course
    own_or_public = or_(Thread.private == false(), Thread.author == me(who))
    cohort = true()
    if who.divided:
        mine = bindparam("viewer_cohort", who.cohort_id, type_=Integer)
        cohort = or_(Thread.cohort_id.is_(None), Thread.cohort_id == mine)
    # a thread whose opening post is hidden is hidden from learners
    return and_(in_course, Thread.opening_hidden == false(), own_or_public, cohort)


def visible_posts(who: Viewer) -> ColumnElement[bool]:
    """The SQL condition on Post of the posts ``who`` receives (staff: hidden ones too)."""
    return Post.hidden_at.is_(None) if not who.staff else true()


def reply_count(who: Viewer) -> ColumnElement[int]:
    """The thread's replies and comments as ``who`` counts them (visible_posts, kept on the
    thread's row)."""
    return Thread.reply_count if who.staff else Thread.visible_reply_count


def mentioned(session: Session, course: CourseRecord, body: str) -> list[str]:
    """The course members named as @username in ``body`` (others are ordinary text)."""
    names = sorted({m.rstrip(".") for m in MENTION.findall(body)})[:MAX_MENTIONS]
    staff = course_staff(course)
    return [n for n in names if n in staff or is_enrolled(session, course.id, n)]
