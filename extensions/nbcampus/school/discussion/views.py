"""The JSON a member receives of a thread and its posts (hidden parts for staff only)."""

from __future__ import annotations

from typing import Any

from nbcampus.school.discussion.members import Viewer
from nbcampus.school.discussion.models import Post, Thread


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def place(thread: Thread) -> str:
    """course, module or item: where the thread is."""
    if thread.item_id is not None:
        return "item"
    return "module" if thread.module_id is not None else "course"


def thread_summary(thread: Thread, votes: int, replies: int, unread: int) -> dict[str, Any]:
    """A thread as listed: its place, state and counts (no posts)."""
    return {
        "id": thread.id,
        "course_id": thread.course_id,
        "place": place(thread),
        "module": thread.module_id,
        "item": thread.item_id,
        "kind": thread.kind,
        "private": thread.private,
        "course_wide": thread.cohort_id is None,
        "title": thread.title,
        "author": thread.author,
        # the name shown for the author (profiles: their display name, else the username)
        "author_name": thread.author_name,
        "created_at": _time(thread.created_at),
        "last_activity_at": _time(thread.last_activity_at),
        "pinned": thread.pinned,
        "closed": thread.closed_at is not None,
        "close_reason": thread.close_reason,
        "answered": thread.answered_at is not None or thread.accepted_post_id is not None,
        "accepted_post_id": thread.accepted_post_id,
        "has_cell": thread.cell is not None,
        "votes": votes,
        "replies": replies,
        "unread": unread,
    }


def post_json(
    post: Post, who: Viewer, *, my_vote: int, mentions: list[str], edits: int
) -> dict[str, Any]:
    """One post; staff also see whether and why it is hidden."""
    out: dict[str, Any] = {
        "id": post.id,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "depth": post.depth,
        "author": post.author,
        "author_name": post.author_name,
        "body": post.body,
        "html": post.html,
        "created_at": _time(post.created_at),
        "edited_at": _time(post.edited_at),
        "edits": edits,
        "votes": post.votes,
        "my_vote": my_vote,
        "mentions": mentions,
        "hidden": post.hidden_at is not None,
    }
    if who.staff and post.hidden_at is not None:
        out["hidden_by"] = post.hidden_by
        out["hide_reason"] = post.hide_reason
    return out
