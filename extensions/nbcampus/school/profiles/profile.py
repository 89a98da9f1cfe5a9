"""Reading and changing a learner's profile: a display name (checked: length, no control or
invisible characters, it is shown on certificates and to other learners), a language (en, fr)
and an IANA time zone (checked with zoneinfo). A change is all or nothing; a new display name
is audited (certificates keep the name they were issued with)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, audit, utcnow
from nbcampus.school.profiles.models import Profile

LANGUAGES = ("en", "fr")
NAME_MAX = 80
#: control, format (zero-width, bidirectional overrides), separators other than the space,
#: surrogates, private use and unassigned code points: none is part of a readable name
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows."""
    return frozenset(available_timezones())


def check_display_name(value: str | None) -> str | None:
    """The display name to keep (NFC, spaces collapsed), or None to show the username;
    CampusError (422) saying what is wrong otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise CampusError("display_name: must be text", status=422)
    name = unicodedata.normalize("NFC", value)
    for position, char in enumerate(name, 1):
        if unicodedata.category(char) in _REFUSED:
            raise CampusError(
                f"display_name: character {position} (U+{ord(char):04X}) is a control or "
                "invisible character; use letters, digits, spaces and punctuation",
                status=422,
            )
    name = " ".join(name.split())
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise CampusError(
            f"display_name: {len(name)} characters, at most {NAME_MAX} are allowed", status=422
        )
    return name


def check_language(value: str | None) -> str | None:
    if value is None or value in LANGUAGES:
        return value
    raise CampusError(
        f"language: {value!r} is not one of {', '.join(LANGUAGES)} (or null for the browser's)",
        status=422,
    )


def check_time_zone(value: str | None) -> str | None:
    if value is None or (isinstance(value, str) and value in time_zones()):
        return value
    raise CampusError(
        f"time_zone: {value!r} is not an IANA time zone name such as Europe/Paris "
        "(or null for UTC)",
        status=422,
    )


def profile_view(session: Session, username: str) -> dict[str, Any]:
    """The learner's profile with its defaults: the name shown, the language and time zone."""
    row = session.get(Profile, username)
    display = row.display_name if row else None
    return {
        "username": username,
        "display_name": display,
        "shown_name": display or username,
        "language": row.language if row else None,
        "time_zone": row.time_zone if row else None,
    }


_CHECKS = {
    "display_name": check_display_name,
    "language": check_language,
    "time_zone": check_time_zone,
}


def update_profile(session: Session, username: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` (any of display_name, language, time_zone; null clears one): every
    field is checked before anything is written. The profile afterwards."""
    unknown = sorted(set(changes) - set(_CHECKS))
    if unknown:
        raise CampusError(f"{unknown[0]}: not a profile field", status=422)
    checked = {field: _CHECKS[field](value) for field, value in changes.items()}
    row = session.get(Profile, username)
    if row is None:
        row = Profile(username=username)
        session.add(row)
    if "display_name" in checked and checked["display_name"] != row.display_name:
        audit(
            session,
            username,
            "profile.display_name",
            None,
            username,
            "",
            before=row.display_name,
            after=checked["display_name"],
        )
    for field, value in checked.items():
        setattr(row, field, value)
    row.updated_at = utcnow()
    session.flush()
    return profile_view(session, username)
