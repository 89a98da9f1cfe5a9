"""Threads: start one (with its opening post), list a course's threads with filters and
unread counts, open one, change it (pin, close, edit by its author)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from nbcampus.school.catalog.api import find_cohort, get_course
from nbcampus.school.core.api import (
    CampusError,
    Forbidden,
    NotFound,
    Permissions,
    PostCreated,
    publish,
    utcnow,
)
from nbcampus.school.discussion import moderation
from nbcampus.school.discussion.cells import snapshot
from nbcampus.school.discussion.markdown import render
from nbcampus.school.discussion.members import (
    Viewer,
    mentioned,
    viewer,
    visible_threads,
)
from nbcampus.school.discussion.models import (
    DISCUSSION,
    KINDS,
    OPENING,
    QUESTION,
    Follow,
    Mention,
    Post,
    PostEdit,
    ReadMark,
    Thread,
)
from nbcampus.school.discussion.places import resolve_place


def write_post(
    session: Session,
    who: Viewer,
    thread: Thread,
    body: str,
    depth: int,
    parent_id: int | None = None,
) -> Post:
    """Record a post with its rendering and mentions; the thread's activity moves on."""
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        course_id=thread.course_id,
        parent_id=parent_id,
        depth=depth,
        author=who.username,
        body=body,
        html=render(body),
        created_at=now,
    )
    session.add(post)
    session.flush()
    course = get_course(session, thread.course_id)
    for username in mentioned(session, course, body):
        session.add(Mention(post_id=post.id, course_id=thread.course_id, username=username))
    # the thread's row repeats what its posts say (a new post is never hidden); the caller
    # holds the thread's row lock (find_thread(lock=True)), or has just created it
    thread.last_activity_at = now
    thread.last_post_id = post.id
    if depth > OPENING:
        thread.reply_count += 1
        thread.visible_reply_count += 1
    session.flush()
    publish(
        session, PostCreated(thread.course_id, who.username, thread_id=thread.id, post_id=post.id)
    )
    return post


def follow(session: Session, thread: Thread, username: str, following: bool = True) -> None:
    """Follow a thread (or stop following it)."""
    row = session.scalar(
        select(Follow).where(Follow.thread_id == thread.id, Follow.username == username)
    )
    if following and row is None:
        session.add(Follow(thread_id=thread.id, username=username))
    elif not following and row is not None:
        session.delete(row)


def mark_read(session: Session, thread: Thread, username: str, post_id: int) -> None:
    """The member has read the thread up to ``post_id``."""
    row = session.scalar(
        select(ReadMark).where(ReadMark.thread_id == thread.id, ReadMark.username == username)
    )
    if row is None:
        session.add(ReadMark(thread_id=thread.id, username=username, last_post_id=post_id))
    elif row.last_post_id < post_id:
        row.last_post_id = post_id


def start_thread(
    session: Session,
    permissions: Permissions,
    course_id: str,
    *,
    title: str,
    body: str,
    kind: str = DISCUSSION,
    module: str | None = None,
    item: str | None = None,
    private: bool = False,
    cohort: str | None = None,
    cell: dict[str, Any] | None = None,
    limit: moderation.RateLimit = moderation.DEFAULT_RATE_LIMIT,
) -> Thread:
    """A new thread of the course with its opening post. A learner's thread belongs to their
    cohort; staff threads are course-wide unless staff name a cohort."""
    who = viewer(session, permissions, course_id)
    moderation.check_may_post(session, who, limit)
    if kind not in KINDS:
        raise CampusError(f"kind must be question or discussion, not {kind!r}")
    if private and kind != QUESTION:
        raise CampusError("private: only a question can be private (to the course staff)")
    if not title.strip() or not body.strip():
        raise CampusError("a thread needs a title and a body")
    course = get_course(session, course_id)
    module_id, item_id = resolve_place(course.data, module, item)
    cohort_id = who.cohort_id
    if cohort is not None:
        if not who.staff:
            raise Forbidden("cohort: only staff choose the cohort of a thread")
        cohort_id = find_cohort(session, course_id, cohort).id
    thread = Thread(
        course_id=course_id,
        cohort_id=cohort_id,
        module_id=module_id,
        item_id=item_id,
        kind=kind,
        private=private,
        title=title.strip(),
        author=who.username,
        cell=None if cell is None else snapshot(cell),
    )
    session.add(thread)
    session.flush()
    opening = write_post(session, who, thread, body, OPENING)
    follow(session, thread, who.username)
    mark_read(session, thread, who.username, opening.id)
    return thread


def find_thread(
    session: Session, permissions: Permissions, thread_id: int, lock: bool = False
) -> tuple[Viewer, Thread]:
    """The caller as a member of the thread's course, and the thread; NotFound when it does not
    exist or the caller may not see it (nobody learns that a hidden thread exists)."""
    thread = session.get(Thread, thread_id, with_for_update=lock or None)
    if thread is None:
        raise NotFound(f"no thread {thread_id}")
    who = viewer(session, permissions, thread.course_id)
    visible = select(exists().where(Thread.id == thread_id, visible_threads(who)))
    if not session.connection().execute(visible).scalar():
        raise NotFound(f"no thread {thread_id}")
    return who, thread


def opening_post(session: Session, thread: Thread) -> Post:
    return session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.depth == OPENING)
    ).one()


def record_edit(
    session: Session, who: Viewer, post: Post, body: str, old_title: str | None = None
) -> None:
    """Keep the post's text before the edit, then change it."""
    session.add(PostEdit(post_id=post.id, edited_by=who.username, body=post.body, title=old_title))
    post.body, post.html, post.edited_at = body, render(body), utcnow()


def update_thread(
    session: Session, permissions: Permissions, thread_id: int, changes: dict[str, Any]
) -> tuple[Viewer, Thread]:
    """Pin or close (moderators, audited), or edit the title and body (the author only, with
    history). All changes apply together or none does."""
    who, thread = find_thread(session, permissions, thread_id, lock=True)
    if "pinned" in changes:
        moderation.set_pinned(session, who, thread, bool(changes["pinned"]))
    if "closed" in changes:
        moderation.set_closed(
            session, who, thread, bool(changes["closed"]), changes.get("reason", "")
        )
    elif "reason" in changes:
        raise CampusError("reason: goes with closed")
    if "title" in changes or "body" in changes:
        if who.username != thread.author:
            raise Forbidden(f"only {thread.author} may edit thread {thread.id}")
        opening = opening_post(session, thread)
        title = changes.get("title", thread.title).strip()
        body = changes.get("body", opening.body)
        if not title or not body.strip():
            raise CampusError("a thread needs a title and a body")
        record_edit(session, who, opening, body, old_title=thread.title)
        thread.title = title
    return who, thread
