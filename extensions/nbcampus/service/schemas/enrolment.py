"""Schemas of enrolment (join, leave, move, rosters, the audit trail) and deadlines."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    BOOLEAN,
    NAME,
    STRING,
    TEXT,
    TIME,
    array,
    nullable,
    obj,
)

#: a reason that says something (recorded in the audit trail)
REASON = {"type": "string", "minLength": 1, "maxLength": 10_000, "pattern": r"\S"}

# requests
ENROL = obj(
    {
        "code": nullable({"type": "string", "maxLength": 255}),
        "username": NAME,
        "reason": TEXT,
    },
    [],
    description="{} to enrol myself ({code} for an invite-only course); staff give a username",
)
CHANGE_ENROLMENT = obj(
    {"cohort": NAME, "track": {"enum": ["audit", "verified"]}, "reason": REASON},
    ["reason"],
    description="a new cohort or track, and why",
)
OVERRIDE = obj(
    {
        "due_at": TIME,
        "username": NAME,
        "cohort": NAME,
        "reason": TEXT,
    },
    ["due_at"],
    description="a new due date for one learner (username) or a cohort",
)

# answers
DEADLINE = obj(
    {
        "id": STRING,
        "due_at": TIME,
        "source": {"enum": ["course", "cohort", "extension"]},
        "granted_by": nullable(STRING),
        "reason": nullable(STRING),
        # the item's late policy as the service applies it (a quiz's default closes at its
        # due date) and where the server clock stands in it now
        "late_policy": nullable(ANY_OBJECT),
        "stage": {"enum": ["on-time", "grace", "late", "closed"]},
    }
)
_ENROLMENT_FIELDS = {
    "course": STRING,
    "username": STRING,
    "status": {"enum": ["enrolled", "waitlisted", "unenrolled"]},
    "track": {"enum": ["audit", "verified"]},
    "cohort": nullable(STRING),
    "personal_start": TIME,
    "enrolled_at": TIME,
}
ENROLMENT = obj(_ENROLMENT_FIELDS)
ENROLMENT_WITH_DEADLINES = obj({**_ENROLMENT_FIELDS, "deadlines": array(DEADLINE)})
ENROLMENTS = obj({"enrolments": array(ENROLMENT)})
MY_ENROLMENTS = obj(
    {
        "username": STRING,
        "enrolments": array(
            obj(
                {
                    **_ENROLMENT_FIELDS,
                    "title": STRING,
                    "deadlines": array(DEADLINE),
                    # the package hosts the course lets learners' servers reach ([]: none)
                    "packages": obj({"hosts": array(STRING), "index_url": nullable(STRING)}),
                }
            )
        ),
    }
)
ROSTER_ADDED = obj({"added": array(STRING)})
AUDIT = obj(
    {
        "events": array(
            obj(
                {
                    "at": TIME,
                    "actor": STRING,
                    "action": STRING,
                    "subject": nullable(STRING),
                    "reason": nullable(STRING),
                    "details": nullable(ANY_OBJECT),
                }
            )
        )
    }
)
DEADLINES = obj({"username": STRING, "now": TIME, "deadlines": array(DEADLINE)})
OVERRIDE_GRANTED = obj(
    {
        "id": {"type": "integer"},
        "item": STRING,
        "username": nullable(STRING),
        "cohort": nullable(STRING),
        "due_at": TIME,
        "granted_by": STRING,
        "granted_at": TIME,
        "reason": nullable(STRING),
    }
)

# upgrades to the verified track
NEW_VOUCHERS = obj(
    {
        "count": {"type": "integer", "minimum": 1, "maximum": 500},
        "note": {"type": "string", "maxLength": 300},
    },
    ["count"],
    description="how many upgrade codes to make, and a note (who they are for)",
)
VOUCHERS = obj({"course": STRING, "codes": array(STRING)})
REDEEM = obj(
    {"code": {"type": "string", "minLength": 1, "maxLength": 64}},
    ["code"],
    description="an upgrade code of this course",
)
UPGRADE = obj(
    {
        "username": STRING,
        "state": {"enum": ["awaiting verification", "verified", "refused"]},
        "requested_at": TIME,
        "decided_at": nullable(TIME),
        "reason": nullable(STRING),
    }
)
MY_UPGRADE = obj(
    {"course": STRING, "track": {"enum": ["audit", "verified"]}, "upgrade": nullable(UPGRADE)}
)
UPGRADES = obj({"course": STRING, "upgrades": array(UPGRADE)})
DECISION = obj(
    {"approve": BOOLEAN, "reason": REASON},
    ["approve", "reason"],
    description="identity verified (approve) or not, and how or why",
)
