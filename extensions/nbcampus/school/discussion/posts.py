"""Posts: reply to a thread or comment under a reply, edit with history, vote, accept an
answer; a thread opened with its posts (marked read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, Conflict, Forbidden, NotFound, Permissions
from nbcampus.school.discussion import moderation
from nbcampus.school.discussion.members import Viewer
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
    opening_post,
    record_edit,
    unread_total,
    write_post,
)
from nbcampus.school.discussion.views import post_json, thread_summary


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


def post_views(session: Session, who: Viewer, posts: list[Post]) -> list[dict[str, Any]]:
    """The JSON of these posts for ``who``: with my vote, the mentions, the number of edits."""
    ids = [p.id for p in posts]
    votes = dict(
        session.execute(
            select(Vote.post_id, Vote.value).where(
                Vote.post_id.in_(ids), Vote.username == who.username
            )
        ).all()
    )
    mentions: dict[int, list[str]] = {}
    for post_id, username in session.execute(
        select(Mention.post_id, Mention.username)
        .where(Mention.post_id.in_(ids))
        .order_by(Mention.username)
    ):
        mentions.setdefault(post_id, []).append(username)
    edits = dict(
        session.execute(
            select(PostEdit.post_id, func.count())
            .where(PostEdit.post_id.in_(ids))
            .group_by(PostEdit.post_id)
        ).all()
    )
    return [
        post_json(
            p,
            who,
            my_vote=votes.get(p.id, 0),
            mentions=mentions.get(p.id, []),
            edits=edits.get(p.id, 0),
        )
        for p in posts
    ]


def open_thread(session: Session, permissions: Permissions, thread_id: int) -> dict[str, Any]:
    """The thread with its posts as the caller may see them (reading marks nothing: the
    caller says what they have read with read_thread)."""
    who, thread = find_thread(session, permissions, thread_id)
    posts = list(session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.id)))
    hidden = {p.id for p in posts if p.hidden_at is not None}
    if not who.staff:  # a hidden reply takes its comments with it
        posts = [p for p in posts if p.id not in hidden and p.parent_id not in hidden]
    views = post_views(session, who, posts)
    opening = opening_post(session, thread)
    replies = sum(1 for p in posts if p.depth > OPENING)
    following = session.scalar(
        select(Follow.id).where(Follow.thread_id == thread.id, Follow.username == who.username)
    )
    unread = sum(1 for p in posts if p.id > _last_read(session, thread, who.username))
    summary = thread_summary(thread, opening.votes, replies, unread)
    return {**summary, "cell": thread.cell, "posts": views, "following": following is not None}


def _last_read(session: Session, thread: Thread, username: str) -> int:
    return (
        session.scalar(
            select(ReadMark.last_post_id).where(
                ReadMark.thread_id == thread.id, ReadMark.username == username
            )
        )
        or 0
    )


def read_thread(
    session: Session, permissions: Permissions, thread_id: int, post_id: int | None = None
) -> int:
    """The caller has read the thread up to ``post_id`` (default: all of it); their unread
    count over the course afterwards."""
    who, thread = find_thread(session, permissions, thread_id)
    last = session.scalar(select(func.max(Post.id)).where(Post.thread_id == thread.id))
    mark_read(session, thread, who.username, min(post_id or last, last))
    session.flush()
    return unread_total(session, who)


def set_following(
    session: Session, permissions: Permissions, thread_id: int, following: bool
) -> None:
    """Follow a thread one may see, or stop following it."""
    _, thread = find_thread(session, permissions, thread_id)
    follow(session, thread, permissions.username, following)
