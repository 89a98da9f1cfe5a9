"""Posts: reply to a thread or comment under a reply, edit with history, vote, accept an
answer; a thread opened with its posts (marked read)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, Conflict, Forbidden, NotFound, Permissions
from nbcampus.school.discussion import moderation
from nbcampus.school.discussion.listing import SUMMARY, unread_total
from nbcampus.school.discussion.members import (
    Viewer,
    me,
    params,
    viewer,
    visible_posts,
    visible_threads,
)
from nbcampus.school.discussion.models import (
    COMMENT,
    OPENING,
    QUESTION,
    REPLY,
    Follow,
    Mention,
    Post,
    PostEdit,
    ReadMark,
    Thread,
    Vote,
)
from nbcampus.school.discussion.threads import (
    find_thread,
    follow,
    mark_read,
    record_edit,
    write_post,
)
from nbcampus.school.discussion.views import post_json, thread_summary
from nbcampus.school.profiles.api import shown_name_sql


def reply(
    session: Session,
    permissions: Permissions,
    thread_id: int,
    body: str,
    parent_id: int | None = None,
    limit: moderation.RateLimit = moderation.DEFAULT_RATE_LIMIT,
) -> tuple[Viewer, Post]:
    """A reply to the thread, or (``parent_id``) a comment under one of its replies."""
    who, thread = find_thread(session, permissions, thread_id, lock=True)
    if thread.closed_at is not None:
        raise Conflict(f"thread {thread.id} is closed: {thread.close_reason}")
    moderation.check_may_post(session, who, limit)
    if not body.strip():
        raise CampusError("body: a post needs some text")
    depth = REPLY
    if parent_id is not None:
        parent = session.get(Post, parent_id)
        if (
            parent is None
            or parent.thread_id != thread.id
            or (parent.hidden_at is not None and not who.staff)
        ):
            raise CampusError(f"parent_id: thread {thread.id} has no post {parent_id}")
        if parent.depth != REPLY:
            raise CampusError("parent_id: comments go under replies (two levels only)")
        depth = COMMENT
    post = write_post(session, who, thread, body, depth, parent_id)
    if depth == REPLY and who.username != thread.author and thread.answered_at is None:
        thread.answered_at = post.created_at
    follow(session, thread, who.username)
    mark_read(session, thread, who.username, post.id)
    return who, post


def find_post(
    session: Session, permissions: Permissions, post_id: int
) -> tuple[Viewer, Thread, Post]:
    """The post with its thread, if the caller may see it; else NotFound."""
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"no post {post_id}")
    try:
        who, thread = find_thread(session, permissions, post.thread_id, lock=True)
    except NotFound:
        raise NotFound(f"no post {post_id}") from None
    if post.hidden_at is not None and not who.staff:
        raise NotFound(f"no post {post_id}")
    return who, thread, post


def edit_post(session: Session, permissions: Permissions, post_id: int, body: str) -> Post:
    """The author changes their post; the former text is kept."""
    who, thread, post = find_post(session, permissions, post_id)
    if post.author != who.username:
        raise Forbidden(f"only {post.author} may edit post {post.id}")
    if not body.strip():
        raise CampusError("body: a post needs some text")
    record_edit(session, who, post, body)
    return post


def history(session: Session, permissions: Permissions, post_id: int) -> list[dict[str, Any]]:
    """The former texts of a post, oldest first (its author and moderators)."""
    who, _, post = find_post(session, permissions, post_id)
    if post.author != who.username and not who.moderator:
        raise Forbidden(f"only {post.author} and moderators see the history of post {post.id}")
    edits = session.scalars(
        select(PostEdit).where(PostEdit.post_id == post.id).order_by(PostEdit.id)
    )
    return [
        {
            "edited_by": e.edited_by,
            "edited_at": e.edited_at.isoformat(),
            "body": e.body,
            "title": e.title,
        }
        for e in edits
    ]


def vote(session: Session, permissions: Permissions, post_id: int, value: int) -> Post:
    """+1, -1, or 0 to take one's vote back; not on one's own post."""
    who, _, post = find_post(session, permissions, post_id)
    if value not in (-1, 0, 1):
        raise CampusError("value must be 1, -1 or 0")
    if post.author == who.username:
        raise Forbidden("you may not vote on your own post")
    row = session.scalar(select(Vote).where(Vote.post_id == post.id, Vote.username == who.username))
    if row is None and value:
        session.add(Vote(post_id=post.id, username=who.username, value=value))
    elif row is not None and value:
        row.value = value
    elif row is not None:
        session.delete(row)
    session.flush()
    post.votes = session.scalar(
        select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.post_id == post.id)
    )
    return post


def accept(session: Session, permissions: Permissions, post_id: int, accepted: bool) -> Thread:
    """The asker or a moderator marks a reply as the question's answer (or takes it back)."""
    who, thread, post = find_post(session, permissions, post_id)
    if thread.kind != QUESTION:
        raise CampusError(f"thread {thread.id} is a discussion: only questions have answers")
    if thread.author != who.username and not who.moderator:
        raise Forbidden(f"only {thread.author} or staff may accept an answer to thread {thread.id}")
    if post.depth != REPLY:
        raise CampusError(f"post {post.id} is not a reply: only replies answer a question")
    if accepted:
        thread.accepted_post_id = post.id
    elif thread.accepted_post_id == post.id:
        thread.accepted_post_id = None
    return thread


#: what post_json reads of a post
POST = (
    Post.id,
    Post.thread_id,
    Post.parent_id,
    Post.depth,
    Post.author,
    shown_name_sql(Post.author).label("author_name"),
    Post.body,
    Post.html,
    Post.created_at,
    Post.edited_at,
    Post.votes,
    Post.hidden_at,
    Post.hidden_by,
    Post.hide_reason,
)


def _post_rows(who: Viewer) -> Select:
    """Posts with ``who``'s vote on each, its number of edits and the members it mentions, in
    one statement."""
    my_vote = select(Vote.value).where(Vote.post_id == Post.id, Vote.username == me(who))
    edits = select(func.count()).where(PostEdit.post_id == Post.id)
    # usernames hold no space (members.MENTION)
    mentions = select(func.aggregate_strings(Mention.username, " ")).where(
        Mention.post_id == Post.id
    )
    return select(
        *POST,
        func.coalesce(my_vote.scalar_subquery(), 0).label("my_vote"),
        func.coalesce(edits.scalar_subquery(), 0).label("edits"),
        mentions.scalar_subquery().label("mentions"),
    )


def _views(who: Viewer, rows) -> list[dict[str, Any]]:
    return [
        post_json(
            r,
            who,
            my_vote=r.my_vote,
            mentions=sorted(r.mentions.split(" ")) if r.mentions else [],
            edits=r.edits,
        )
        for r in rows
    ]


def post_views(session: Session, who: Viewer, posts: list[Post]) -> list[dict[str, Any]]:
    """The JSON of these posts for ``who``: with my vote, the mentions, the number of edits."""
    session.flush()
    rows = session.connection().execute(
        _post_rows(who).where(Post.id.in_([p.id for p in posts])).order_by(Post.id)
    )
    return _views(who, rows.all())


def _thread_statement() -> Select:
    """A thread with whether ``:viewer`` follows it and their read mark (``:thread_id``)."""
    following = exists().where(
        Follow.thread_id == Thread.id, Follow.username == bindparam("viewer")
    )
    last_read = select(ReadMark.last_post_id).where(
        ReadMark.thread_id == Thread.id, ReadMark.username == bindparam("viewer")
    )
    return select(
        *SUMMARY,
        following.label("following"),
        func.coalesce(last_read.scalar_subquery(), 0).label("last_read"),
    ).where(Thread.id == bindparam("thread_id"))


_THREAD = _thread_statement()


@lru_cache(maxsize=8)
def _posts_statement(staff: bool, divided: bool) -> Select:
    """The posts of thread ``:thread_id`` a viewer of this kind receives (their ``params``
    bound): none when they may not see the thread."""
    who = Viewer("", "", None, staff=staff, moderator=False, community=False, divided=divided)
    return (
        _post_rows(who)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.thread_id == bindparam("thread_id"), visible_posts(who), visible_threads(who))
        .order_by(Post.id)
    )


def open_thread(session: Session, permissions: Permissions, thread_id: int) -> dict[str, Any]:
    """The thread with its posts as the caller may see them (reading marks nothing: the
    caller says what they have read with read_thread)."""
    conn = session.connection()
    thread = conn.execute(_THREAD, {"thread_id": thread_id, "viewer": permissions.username}).first()
    if thread is None:
        raise NotFound(f"no thread {thread_id}")
    who = viewer(session, permissions, thread.course_id)
    statement = _posts_statement(who.staff, who.divided)
    rows = conn.execute(statement, {**params(who), "thread_id": thread_id}).all()
    if not rows:  # a thread has its opening post: this one is hidden from the caller
        raise NotFound(f"no thread {thread_id}")  # (nobody learns that it exists)
    # a hidden reply takes its comments with it (a learner receives neither)
    shown = {r.id for r in rows}
    rows = [r for r in rows if r.parent_id is None or r.parent_id in shown]
    votes = next(r.votes for r in rows if r.depth == OPENING)
    replies = sum(1 for r in rows if r.depth > OPENING)
    unread = sum(1 for r in rows if r.id > thread.last_read)
    summary = thread_summary(thread, votes, replies, unread)
    return {
        **summary,
        "cell": thread.cell,
        "posts": _views(who, rows),
        "following": bool(thread.following),
    }


def read_thread(
    session: Session, permissions: Permissions, thread_id: int, post_id: int | None = None
) -> int:
    """The caller has read the thread up to ``post_id`` (default: all of it); their unread
    count over the course afterwards."""
    who, thread = find_thread(session, permissions, thread_id)
    last = thread.last_post_id
    mark_read(session, thread, who.username, min(post_id or last, last))
    session.flush()
    return unread_total(session, who)


def set_following(
    session: Session, permissions: Permissions, thread_id: int, following: bool
) -> None:
    """Follow a thread one may see, or stop following it."""
    _, thread = find_thread(session, permissions, thread_id)
    follow(session, thread, permissions.username, following)
