"""Times as people read them: ``2026-12-02 07:15 UTC``, never an ISO timestamp with its
microseconds. The API keeps ISO 8601 (machines read it); pages and messages use this."""

from __future__ import annotations

import re
from datetime import UTC, datetime

#: an ISO 8601 date and time, as ``datetime.isoformat`` writes them
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")


def readable(value: datetime | str) -> str:
    """``value`` (a datetime, or an ISO time string) as ``YYYY-MM-DD HH:MM UTC``; naive
    times are UTC, as the database stores them."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def readable_if_time(value: object) -> object:
    """:func:`readable` for a datetime or an ISO time string; anything else as it is."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_TIME.match(value)):
        return readable(value)
    return value
