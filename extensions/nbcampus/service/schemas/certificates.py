"""Schemas of certificates: listings, staff views, the public check, Open Badges documents."""

from __future__ import annotations

from nbcampus.service.schemas.common import (
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    NAME,
    NUMBER,
    STRING,
    TIME,
    array,
    nullable,
    obj,
    open_obj,
)
from nbcampus.service.schemas.enrolment import REASON

# requests
ISSUE = obj({"learner": nullable(NAME)}, [], description="{} for every eligible learner")
WHY = obj({"reason": REASON}, ["reason"], description="why: recorded in the audit trail")

# answers
AWARD = {
    "enum": ["certificate", "badge"],
    "description": "certificate: a PDF and its signed badge; badge: a module's signed badge only",
}
_LISTING = {
    "id": STRING,
    "course_id": STRING,
    "number": INTEGER,
    "issued_at": TIME,
    "revoked_at": nullable(TIME),
    # a module's award: its module (null for the course's certificate) and what it is
    "module_id": nullable(STRING),
    "award": AWARD,
    # null for a module badge (a signed assertion and the verify page, no PDF)
    "pdf_url": nullable(STRING),
    "assertion_url": STRING,
    "verify_url": STRING,
}
FACTS = obj(
    {
        "id": STRING,
        "number": INTEGER,
        "learner": STRING,
        "course_id": STRING,
        "course": STRING,
        "module_id": nullable(STRING),
        "module": nullable(STRING),
        "award": AWARD,
        "format": STRING,
        "cohort": nullable(STRING),
        "score": nullable(NUMBER),
        "hours": nullable(NUMBER),
        "organisation": nullable(STRING),
        "issued_at": TIME,
        "replaces": nullable(STRING),
    }
)
LISTING = obj(_LISTING)
STAFF_VIEW = obj(
    {
        **_LISTING,
        **FACTS["properties"],
        "username": STRING,
        "issued_by": STRING,
        "revoked_by": nullable(STRING),
        "revoke_reason": nullable(STRING),
    }
)
MY_CERTIFICATES = obj({"certificates": array(LISTING)})
COURSE_CERTIFICATES = obj({"certificates": array(STAFF_VIEW)})
ISSUED = obj(
    {
        "issued": array(STAFF_VIEW),
        "already": array(STRING),
        "not_eligible": {"type": "object", "additionalProperties": array(STRING)},
    }
)
ELIGIBILITY = obj(
    {
        "learners": array(
            obj(
                {"username": STRING, "eligible": BOOLEAN, "score": NUMBER, "missing": array(STRING)}
            )
        )
    }
)
APPROVED = obj(
    {
        "course_id": STRING,
        "username": STRING,
        "approved_by": STRING,
        "approved_at": TIME,
        "certificate": nullable(STAFF_VIEW),
    }
)
VERIFICATION = obj(
    {
        "status": {"enum": ["valid", "revoked", "unknown"]},
        "id": STRING,
        "certificate": FACTS,
        "revoked_at": TIME,
        "reason": nullable(STRING),
    },
    ["status", "id"],
    description="valid or revoked with the facts (200); unknown (404)",
)
UNKNOWN = obj({"status": {"const": "unknown"}, "id": STRING})
CRYPTOGRAPHIC_KEY = obj(
    {
        "@context": STRING,
        "type": {"const": "CryptographicKey"},
        "id": STRING,
        "owner": STRING,
        "publicKeyPem": STRING,
        "publicKeyJwk": ANY_OBJECT,
        "kid": STRING,
    }
)
ISSUER = open_obj(
    {
        "@context": STRING,
        "type": {"const": "Issuer"},
        "id": STRING,
        "name": STRING,
        "url": STRING,
        "publicKey": STRING,
        "revocationList": STRING,
    }
)
REVOCATIONS = obj(
    {
        "@context": STRING,
        "type": {"const": "RevocationList"},
        "id": STRING,
        "issuer": STRING,
        "revokedAssertions": array(
            obj(
                {
                    "id": STRING,
                    "uid": STRING,
                    "revocationReason": nullable(STRING),
                    "revokedAt": TIME,
                }
            )
        ),
    }
)
