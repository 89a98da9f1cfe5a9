"""Hub tickets: after a verified launch the service hands the browser a short-lived ticket,
signed with the tool's key, that the hub's LTI handler turns into a hub login. The hub checks
it with the tool's public JWKS; nothing else is shared between them."""

from __future__ import annotations

import secrets
import time

from jwcrypto import jwk, jwt

TICKET_ISSUER = "nbcampus-lti"
TICKET_AUDIENCE = "jupyterhub"
TICKET_SECONDS = 120


def hub_ticket(
    key: jwk.JWK, username: str, course_id: str, groups: list[str], next_url: str
) -> str:
    """A ticket logging ``username`` into the hub with ``groups`` as their LMS staff groups of
    ``course_id`` (none for a learner), landing on ``next_url`` (a path on the hub)."""
    now = int(time.time())
    token = jwt.JWT(
        header={"alg": "RS256", "kid": key.get("kid"), "typ": "JWT"},
        claims={
            "iss": TICKET_ISSUER,
            "aud": TICKET_AUDIENCE,
            "sub": username,
            "iat": now,
            "exp": now + TICKET_SECONDS,
            "jti": secrets.token_urlsafe(16),
            "course": course_id,
            "groups": groups,
            "next": next_url,
        },
    )
    token.make_signed_token(key)
    return token.serialize()
