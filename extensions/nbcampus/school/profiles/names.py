"""The one rule for the name shown for a learner: the display name they chose, else their
username. A Python form (one learner, or a few) and a SQL form (a column next to a username
column, for listings and reports over every learner at once); both read the same row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from nbcampus.school.profiles.models import Profile


def shown_name(session: Session, username: str) -> str:
    """The name to show for ``username``: their display name, else the username."""
    chosen = session.scalar(select(Profile.display_name).where(Profile.username == username))
    return chosen or username


def shown_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """:func:`shown_name` of each of ``usernames`` (at most a few hundred: one query)."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    chosen = dict(
        session.execute(
            select(Profile.username, Profile.display_name).where(
                Profile.username.in_(wanted), Profile.display_name.is_not(None)
            )
        ).all()
    )
    return {u: chosen.get(u) or u for u in wanted}


def shown_name_sql(username: ColumnElement) -> ColumnElement:
    """:func:`shown_name` as a column expression over a username column."""
    chosen = select(Profile.display_name).where(Profile.username == username).scalar_subquery()
    return func.coalesce(chosen, username)
