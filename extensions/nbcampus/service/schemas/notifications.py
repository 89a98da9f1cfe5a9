"""Schemas of notifications: a learner's list, read marks, preferences, the unsubscribe key."""

from __future__ import annotations

from nbcampus.school.notifications.api import DIGESTS, KINDS
from nbcampus.service.schemas.common import (
    BOOLEAN,
    INTEGER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
)

KIND = {"enum": list(KINDS)}
COURSE_ID = {"type": "string", "minLength": 1, "maxLength": 64}
CHOICE = obj({"lab": BOOLEAN, "email": BOOLEAN}, [])
KIND_CHOICES = {
    "type": "object",
    "propertyNames": KIND,
    "additionalProperties": CHOICE,
    "description": "per kind: shown in the lab, sent by mail",
}

# requests
READ = obj(
    {
        "ids": array(INTEGER, minItems=1, maxItems=500),
        "all": {"const": True},
    },
    [],
    description="the notifications to mark read (ids), or all of mine (all: true)",
)
PREFERENCES_CHANGE = obj(
    {
        "email": nullable({"type": "string", "maxLength": 320}),
        "digest": {"enum": list(DIGESTS)},
        "courses": {
            "type": "object",
            "propertyNames": COURSE_ID,
            "additionalProperties": KIND_CHOICES,
        },
    },
    [],
    description="my address (when the hub gives none), single mails or a digest, and per "
    "course and kind whether it shows in the lab and comes by mail",
)
ONE_CLICK = obj(
    {"List-Unsubscribe": {"const": "One-Click"}},
    [],
    description="RFC 8058: what a mail program posts; the key is in the address",
)

# answers
NOTIFICATION = obj(
    {
        "id": INTEGER,
        "kind": KIND,
        "course_id": nullable(STRING),
        "title": {**STRING, "description": "plain text: show it as text, never as HTML"},
        "body": {**STRING, "description": "plain text: show it as text, never as HTML"},
        "link": nullable({**STRING, "description": "a path in the school (below the hub)"}),
        "created_at": TIME,
        "read_at": nullable(TIME),
    }
)
NOTIFICATIONS = obj(
    {
        "notifications": array(NOTIFICATION, description="newest first"),
        "unread": INTEGER,
        "total": INTEGER,
        "limit": INTEGER,
        "offset": INTEGER,
    }
)
UNREAD = obj({"unread": INTEGER})
PREFERENCES = obj(
    {
        "email": nullable(STRING),
        "email_source": nullable({"enum": ["hub", "profile"]}),
        # the hub's address, or the learner's own once confirmed from its mail
        "email_verified": BOOLEAN,
        "digest": {"enum": list(DIGESTS)},
        "kinds": array(KIND),
        "courses": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": obj({"lab": BOOLEAN, "email": BOOLEAN}),
            },
        },
    }
)
UNSUBSCRIBED = obj(
    {
        "username": STRING,
        "unsubscribed": array(obj({"course_id": STRING, "kind": KIND})),
    }
)
HTML = {"type": "string", "contentMediaType": "text/html"}

CONFIRMED = obj({"username": STRING, "email": STRING, "verified": BOOLEAN})
