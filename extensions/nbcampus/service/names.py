"""How the service names a person to others: today their hub username. The one place to
change when learners choose a display name (their profile)."""

from __future__ import annotations

from collections.abc import Iterable


def display_names(session, usernames: Iterable[str]) -> dict[str, str]:
    """``{username: the name shown to others}`` (today: the username itself)."""
    return {username: username for username in usernames}
