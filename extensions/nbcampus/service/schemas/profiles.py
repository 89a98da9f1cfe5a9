"""Schemas of a learner's profile: the name shown for them, language, time zone, and the state
of their e-mail address (changed and confirmed through the notifications' address flow)."""

from __future__ import annotations

from nbcampus.school.profiles.api import LANGUAGES, NAME_MAX
from nbcampus.service.schemas.common import BOOLEAN, STRING, nullable, obj

LANGUAGE = {"enum": list(LANGUAGES), "description": "null: the browser's language"}
TIME_ZONE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "description": "an IANA time zone name, e.g. Europe/Paris (null: UTC)",
}
DISPLAY_NAME = {
    "type": "string",
    "maxLength": 4 * NAME_MAX,
    "description": f"at most {NAME_MAX} characters once spaces are collapsed, no control or "
    "invisible characters; blank or null: the username is shown",
}

# requests
PROFILE_CHANGE = obj(
    {
        "display_name": nullable(DISPLAY_NAME),
        "language": nullable(LANGUAGE),
        "time_zone": nullable(TIME_ZONE),
    },
    [],
    description="the fields to change (all or none is written); null clears one",
)

# answers
EMAIL_STATE = obj(
    {
        "address": nullable(STRING),
        "source": nullable({"enum": ["hub", "profile"]}),
        "verified": BOOLEAN,
        "change_url": STRING,
        "confirm_url": STRING,
    },
    description="my address and whether it is verified: set my own with PATCH change_url "
    "{email}, which mails a confirmation link to confirm_url; the hub's needs none",
)
PROFILE = obj(
    {
        "username": STRING,
        "display_name": nullable(STRING),
        "shown_name": {
            "type": "string",
            "description": "the name certificates, badges, discussions and reports show",
        },
        "language": nullable(LANGUAGE),
        "time_zone": nullable(STRING),
        "email": EMAIL_STATE,
    }
)
