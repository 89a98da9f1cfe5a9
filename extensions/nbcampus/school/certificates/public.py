"""What the public sees of a certificate: its facts, the check (valid, revoked or unknown) and
the school's revocation list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nbcampus.school.certificates.issuance import get_certificate
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.core.api import NotFound


def facts(cert: Certificate) -> dict[str, Any]:
    """What a certificate certifies, as the verification page and JSON show it."""
    return {
        "id": cert.id,
        "number": cert.number,
        "learner": cert.learner_name,
        "course_id": cert.course_id,
        "course": cert.course_title,
        "module_id": cert.module_id or None,
        "module": cert.module_title,
        "award": cert.award,
        "format": cert.format,
        "cohort": cert.cohort,
        "score": cert.score,
        "hours": cert.hours,
        "organisation": (cert.branding or {}).get("organisation"),
        "issued_at": cert.issued_at.isoformat(),
        "replaces": cert.replaces,
    }


def check(session: Session, certificate_id: str) -> dict[str, Any]:
    """The public check: ``valid``, ``revoked`` (when and why) or ``unknown``."""
    try:
        cert = get_certificate(session, certificate_id)
    except NotFound:
        return {"status": "unknown", "id": certificate_id}
    result: dict[str, Any] = {"status": "valid", "id": cert.id, "certificate": facts(cert)}
    if cert.revoked_at is not None:
        result.update(
            status="revoked", revoked_at=cert.revoked_at.isoformat(), reason=cert.revoke_reason
        )
    return result


def revocations(session: Session) -> list[dict[str, Any]]:
    """The revoked certificates, as entries of an Open Badges RevocationList."""
    rows = session.execute(
        select(Certificate.id, Certificate.revoke_reason, Certificate.revoked_at).where(
            Certificate.revoked_at.is_not(None)
        )
    )
    return [
        {
            "id": f"urn:nbcampus:certificate:{i}",
            "uid": i,
            "revocationReason": r,
            "revokedAt": at.isoformat(),
        }
        for i, r, at in rows
    ]
