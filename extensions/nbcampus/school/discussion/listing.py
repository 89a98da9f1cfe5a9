"""A course's threads as a member lists them: filtered, pinned first then by latest activity,
with their counts and the member's unread posts.

Two statements per listing, read as rows (no ORM objects): the page, in the order of an index
so that the database stops at the page's end, and the two totals. Counts come from the
thread's row (``reply_count``, ``visible_reply_count``, ``last_post_id``); posts are counted
only in the threads the member has read part of the way. The statements are built once per
kind of viewer and of filter and run with bound parameters (building one costs more than
running it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from nbcampus.school.core.api import Permissions
from nbcampus.school.discussion.members import (
    Viewer,
    me,
    params,
    reply_count,
    viewer,
    visible_posts,
    visible_threads,
)
from nbcampus.school.discussion.models import OPENING, QUESTION, Follow, Post, ReadMark, Thread
from nbcampus.school.discussion.views import thread_summary
from nbcampus.school.profiles.api import shown_name_sql

MAX_PAGE = 200

#: what thread_summary reads of a thread
SUMMARY = (
    Thread.id,
    Thread.course_id,
    Thread.cohort_id,
    Thread.module_id,
    Thread.item_id,
    Thread.kind,
    Thread.private,
    Thread.title,
    Thread.author,
    shown_name_sql(Thread.author).label("author_name"),
    Thread.created_at,
    Thread.last_activity_at,
    Thread.answered_at,
    Thread.accepted_post_id,
    Thread.pinned,
    Thread.closed_at,
    Thread.close_reason,
    Thread.cell,
)


def thread_posts(who: Viewer) -> ColumnElement[int]:
    """The posts of a thread ``who`` may see, its opening post included (a learner sees the
    thread only while its opening post is not hidden)."""
    return reply_count(who) + 1


def unread(who: Viewer) -> ColumnElement[int]:
    """Per thread, with the member's ReadMark joined (outer): the posts ``who`` may see after
    their mark. Unread threads and threads read to their end need no counting; the posts are
    counted only in threads read part of the way."""
    after_mark = (
        select(func.count())
        .select_from(Post)
        .where(Post.thread_id == Thread.id, Post.id > ReadMark.last_post_id, visible_posts(who))
        .correlate_except(Post)  # the thread and the mark come from the enclosing statement
        .scalar_subquery()
    )
    return case(
        (ReadMark.last_post_id.is_(None), thread_posts(who)),
        (ReadMark.last_post_id >= Thread.last_post_id, 0),
        else_=after_mark,
    )


def _unread_total(who: Viewer) -> ColumnElement[int]:
    """Posts of the course that ``who`` may see and has not read: every post of the threads
    they see, less, in the threads they have marked, the posts up to the mark."""
    every = (
        select(func.coalesce(func.sum(thread_posts(who)), 0))
        .where(visible_threads(who))
        .scalar_subquery()
    )
    # from the member's marks (few) to their threads, not the other way round: a correlated
    # subquery per mark (NULL where the thread is not visible: sum leaves it out)
    per_mark = (
        select(unread(who) - thread_posts(who))
        .where(Thread.id == ReadMark.thread_id, visible_threads(who))
        .scalar_subquery()
    )
    marked = (
        select(func.coalesce(func.sum(per_mark), 0))
        .where(ReadMark.username == me(who))
        .scalar_subquery()
    )
    # PostgreSQL sums integers as bigint or numeric: an integer, as SQLite gives
    return cast(every + marked, Integer)


def unread_total(session: Session, who: Viewer) -> int:
    """Posts of the course that ``who`` may see and has not read."""
    statement = _total_statement(who.staff, who.divided)
    return session.connection().execute(statement, params(who)).scalar_one()


@lru_cache(maxsize=8)
def _total_statement(staff: bool, divided: bool) -> Select:
    return select(_unread_total(_kind(staff, divided)))


def _kind(staff: bool, divided: bool) -> Viewer:
    """A viewer standing for every viewer of this kind: its values are placeholders, each
    statement runs with the real viewer's ``params``."""
    return Viewer("", "", None, staff=staff, moderator=False, community=False, divided=divided)


def _conditions(who: Viewer, filters: frozenset[str], q: str | None) -> list:
    """The threads listed: those ``who`` sees, with the filters named (bound parameters of the
    same names) and the search ``q`` (a literal: searches are not cached)."""
    conditions = [visible_threads(who)]
    if "module" in filters:
        conditions.append(Thread.module_id == bindparam("module"))
    if "item" in filters:
        conditions.append(Thread.item_id == bindparam("item"))
    if "kind" in filters:
        conditions.append(Thread.kind == bindparam("kind"))
    if "unanswered" in filters:
        conditions += [
            Thread.kind == QUESTION,
            Thread.answered_at.is_(None),
            Thread.accepted_post_id.is_(None),
        ]
    if "followed" in filters:
        conditions.append(exists().where(Follow.thread_id == Thread.id, Follow.username == me(who)))
    if q:
        needle = q.strip().lower()
        conditions.append(
            or_(
                func.lower(Thread.title).contains(needle, autoescape=True),
                exists().where(
                    Post.thread_id == Thread.id,
                    visible_posts(who),
                    func.lower(Post.body).contains(needle, autoescape=True),
                ),
            )
        )
    return conditions


def _statements(who: Viewer, filters: frozenset[str], q: str | None) -> tuple[Select, Select]:
    """The page and the totals."""
    conditions = _conditions(who, filters, q)
    votes = (
        select(Post.votes)
        .where(Post.thread_id == Thread.id, Post.depth == OPENING)
        .limit(1)
        .scalar_subquery()
    )
    page = (
        select(
            *SUMMARY,
            votes.label("votes"),
            reply_count(who).label("replies"),
            unread(who).label("unread"),
        )
        .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.username == me(who)))
        .where(*conditions)
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    total = select(func.count()).select_from(Thread).where(*conditions).scalar_subquery()
    totals = (total.label("total"), _unread_total(who).label("unread_total"))
    # the totals ride on the page's rows (computed once); an empty page asks for them alone
    return page.add_columns(*totals), select(*totals)


@lru_cache(maxsize=256)
def _cached(staff: bool, divided: bool, filters: frozenset[str]) -> tuple[Select, Select]:
    return _statements(_kind(staff, divided), filters, None)


def list_threads(
    session: Session,
    permissions: Permissions,
    course_id: str,
    *,
    module: str | None = None,
    item: str | None = None,
    kind: str | None = None,
    unanswered: bool = False,
    followed: bool = False,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The threads the caller may see, pinned first then by latest activity, with their
    unread counts, and the caller's unread count over the whole course."""
    who = viewer(session, permissions, course_id)
    values = {"module": module, "item": item, "kind": kind}
    filters = frozenset(
        [name for name, value in values.items() if value is not None]
        + (["unanswered"] if unanswered else [])
        + (["followed"] if followed else [])
    )
    if q:
        page, totals = _statements(who, filters, q)
    else:
        page, totals = _cached(who.staff, who.divided, filters)
    bound = {
        **params(who),
        **{name: values[name] for name in filters if name in values},
        "limit": min(max(limit, 1), MAX_PAGE),
        "offset": max(offset, 0),
    }
    conn = session.connection()
    rows = conn.execute(page, bound).all()
    counted, unread_count = rows[0][-2:] if rows else conn.execute(totals, bound).one()
    threads = [thread_summary(row, row.votes, row.replies, row.unread) for row in rows]
    return {"threads": threads, "total": counted, "unread": unread_count}
