"""The Open Badges 2.0 assertion of a certificate (JSON-LD), signed as a JWS with the school's key.

The assertion embeds its BadgeClass and the issuer Profile, so a verifier needs nothing but the
token and the school's public key. ``verification`` is a ``SignedBadge`` whose ``creator`` is the
published key (``/api/certificates/public-key``). The signature is RS256 over the compact JWS,
as Open Badges 2.0 signed assertions are; the header's ``kid`` is the key's RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from html import escape
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from nbcampus.school.certificates.keys import fingerprint, public_jwk, public_pem
from nbcampus.school.certificates.models import Certificate
from nbcampus.school.certificates.settings import CertificateSettings

CONTEXT = "https://w3id.org/openbadges/v2"
#: the extension terms nbcampus adds (the certified facts beyond Open Badges' own)
EXTENSION_CONTEXT = {"nbcampus": "https://nbcampus.org/ns/certificate#"}
ALGORITHM = "RS256"


class InvalidAssertion(Exception):
    """A signed assertion that does not verify; the message says why, in plain words."""


def recipient(cert: Certificate) -> dict[str, Any]:
    """The hashed recipient identity: the username, salted with the certificate id (a verifier
    who knows the learner's username can check it; nobody else can read it)."""
    digest = hashlib.sha256((cert.username + cert.id).encode()).hexdigest()
    return {"type": "id", "hashed": True, "salt": cert.id, "identity": f"sha256${digest}"}


def issuer_profile(settings: CertificateSettings) -> dict[str, Any]:
    """The school as an Open Badges issuer Profile, naming its public key."""
    profile = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": settings.issuer_id,
        "name": settings.issuer_name,
        "url": settings.public_url,
        "publicKey": settings.key_id,
        "revocationList": settings.url("api/certificates/revocations"),
    }
    return profile


def crypto_key(settings: CertificateSettings, key: jwk.JWK) -> dict[str, Any]:
    """The published CryptographicKey document (PEM as Open Badges has it, JWK for JOSE tools)."""
    return {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": settings.key_id,
        "owner": settings.issuer_id,
        "publicKeyPem": public_pem(key),
        "publicKeyJwk": public_jwk(key),
        "kid": fingerprint(key),
    }


_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def badge_image(cert: Certificate) -> str:
    """The badge's image as a data URI (Open Badges allows them): a disc in the course's colour
    with its format, so a badge needs nothing hosted."""
    colour = ((cert.branding or {}).get("colors") or {}).get("primary") or "#1f3a5f"
    colour = colour if _COLOR.match(colour) else "#1f3a5f"
    label = escape(cert.format.upper())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">'
        f'<circle cx="60" cy="60" r="56" fill="{colour}"/>'
        '<text x="60" y="70" font-family="Helvetica, Arial, sans-serif" font-size="28" '
        f'font-weight="bold" fill="#ffffff" text-anchor="middle">{label}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def assertion(cert: Certificate, settings: CertificateSettings) -> dict[str, Any]:
    """The Open Badges 2.0 Assertion of ``cert``."""
    verify_url = settings.verify_url(cert.id)
    course_url = settings.url(f"api/courses/{cert.course_id}")
    if cert.module_id:
        # a module's badge: its own BadgeClass, named after the module and its course
        badge_key = f"#badge-module-{cert.module_id}"
        name = f"{cert.module_title}: {cert.course_title}"
        description = f"Completed the module {cert.module_title} of the course {cert.course_title}."
        criteria = (
            "Issued by nbcampus under the module's reward rule (every assignment graded, "
            "the quiz attempted, the module's minimum weighted score)."
        )
    else:
        badge_key, name = "#badge", cert.course_title
        description = f"Completed the {cert.format.upper()} course {cert.course_title}."
        criteria = (
            "Issued by nbcampus under the course's certificate rules "
            "(minimum weighted score, required modules, track and approval)."
        )
    badge = {
        "type": "BadgeClass",
        # embedded in the signed assertion: a stable IRI per course (and module), not a page
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, course_url + badge_key)}",
        "name": name,
        "description": description,
        "criteria": {"narrative": criteria},
        "image": badge_image(cert),
        "issuer": issuer_profile(settings),
    }
    return {
        "@context": [CONTEXT, EXTENSION_CONTEXT],
        "type": "Assertion",
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, verify_url)}",
        "recipient": recipient(cert),
        "badge": badge,
        "verification": {"type": "SignedBadge", "creator": settings.key_id},
        "issuedOn": cert.issued_at.isoformat(),
        "evidence": [
            {"id": verify_url, "narrative": "The issuer's public check of this certificate."}
        ],
        "nbcampus:certificate": {
            "id": cert.id,
            "number": cert.number,
            "learner": cert.learner_name,
            "course": cert.course_id,
            "module": cert.module_id or None,
            "award": cert.award,
            "format": cert.format,
            "cohort": cert.cohort,
            "score": cert.score,
            "hours": cert.hours,
            "organisation": (cert.branding or {}).get("organisation"),
            "verify": verify_url,
        },
    }


def sign(document: dict[str, Any], key: jwk.JWK) -> str:
    """The compact JWS of ``document`` (RS256, ``kid`` = key thumbprint)."""
    payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    token = jws.JWS(payload)
    token.add_signature(
        key, alg=ALGORITHM, protected={"alg": ALGORITHM, "kid": fingerprint(key), "typ": "JWS"}
    )
    return token.serialize(compact=True)


def verify(token: str, public_key: jwk.JWK) -> dict[str, Any]:
    """The assertion inside ``token`` if its signature is the school's; else InvalidAssertion.

    Refuses a document that is not signed at all (plain JSON, or a JWS with its signature
    stripped), any algorithm but RS256 (no ``none``, no HMAC with the public key), a signature
    by another key, and a payload changed after signing.
    """
    token = token.strip()
    if token.startswith("{"):
        raise InvalidAssertion(
            "not signed: this is a bare JSON document, not a signed assertion (compact JWS)"
        )
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidAssertion(
            "not a signed assertion: expected a compact JWS (three parts separated by dots)"
        )
    if not parts[2]:
        raise InvalidAssertion("not signed: the signature part of the JWS is empty (stripped)")
    parsed = jws.JWS()
    try:
        parsed.deserialize(token)
        header = parsed.jose_header
    except (JWException, ValueError, TypeError) as e:
        raise InvalidAssertion(f"not a readable JWS: {e}") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidAssertion(
            f"refused algorithm {header.get('alg')!r}: only {ALGORITHM} is accepted"
        )
    try:
        parsed.verify(public_key, alg=ALGORITHM)
    except JWException:
        if header.get("kid") and header["kid"] != fingerprint(public_key):
            raise InvalidAssertion(
                f"signed with another key (kid {header['kid']}), not the school's "
                f"(kid {fingerprint(public_key)})"
            ) from None
        raise InvalidAssertion(
            "signature does not match: the assertion was altered after it was signed, "
            "or signed with another key"
        ) from None
    try:
        document = json.loads(parsed.payload)
    except ValueError as e:
        raise InvalidAssertion(f"the signed payload is not JSON: {e}") from None
    if (
        document.get("type") != "Assertion"
        or (document.get("verification") or {}).get("type") != "SignedBadge"
    ):
        raise InvalidAssertion("the signed payload is not an Open Badges signed Assertion")
    return document
