"""Who is told of a new post: the thread's followers and the members the post mentions, each
only if the discussion rules let them see the thread and the post (members.visible_threads),
never its author. Notifications ask here; they never decide visibility themselves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import CourseRecord, get_course
from nbcampus.school.core.api import Forbidden
from nbcampus.school.discussion.members import Viewer, course_staff, divided, visible_threads
from nbcampus.school.discussion.models import Follow, Mention, Post, Thread
from nbcampus.school.enrolment.api import find_enrolment


@dataclass(frozen=True)
class Audience:
    """The people to tell of one post, and what they are told about."""

    course_id: str
    thread_id: int
    thread_title: str
    #: the thread's author, when it is a private question (to the course staff)
    private_asker: str | None
    author: str
    author_is_staff: bool
    #: members following the thread who may see the post (not mentioned in it)
    followers: tuple[str, ...]
    #: members the post mentions who may see it
    mentioned: tuple[str, ...]
    #: the post's text (markdown source: plain text for clients to escape)
    body: str


def member(session: Session, course: CourseRecord, username: str) -> Viewer | None:
    """A member of the course as the discussion rules see them, from the course file (staff)
    and their enrolment alone, with no token at hand; None for someone not in the course.
    Staff by hub scope alone (admins) are not known here and are not told."""
    staff = username in course_staff(course)
    cohort_id = None
    if not staff:
        try:
            cohort_id = find_enrolment(session, course.id, username, active=True).cohort_id
        except Forbidden:
            return None
    return Viewer(
        username=username,
        course_id=course.id,
        cohort_id=cohort_id,
        staff=staff,
        moderator=staff,
        community=staff,
        divided=divided(course),
    )


def may_see(session: Session, who: Viewer, thread: Thread, post: Post) -> bool:
    """Whether ``who`` may see the post in its thread (the rule of members.py)."""
    if post.hidden_at is not None and not who.staff:
        return False
    visible = select(exists().where(Thread.id == thread.id, visible_threads(who)))
    return bool(session.execute(visible).scalar())


def post_audience(session: Session, post_id: int) -> Audience | None:
    """Who is to be told of post ``post_id``; None when there is no such post."""
    post = session.get(Post, post_id)
    if post is None:
        return None
    thread = session.get(Thread, post.thread_id)
    course = get_course(session, thread.course_id)
    following = set(session.scalars(select(Follow.username).where(Follow.thread_id == thread.id)))
    named = set(session.scalars(select(Mention.username).where(Mention.post_id == post.id)))
    allowed = set()
    for username in sorted((following | named) - {post.author}):
        who = member(session, course, username)
        if who is not None and may_see(session, who, thread, post):
            allowed.add(username)
    return Audience(
        course_id=course.id,
        thread_id=thread.id,
        thread_title=thread.title,
        private_asker=thread.author if thread.private else None,
        author=post.author,
        author_is_staff=post.author in course_staff(course),
        followers=tuple(sorted((following - named) & allowed)),
        mentioned=tuple(sorted(named & allowed)),
        body=post.body,
    )
