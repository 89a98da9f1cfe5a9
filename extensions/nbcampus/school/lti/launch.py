"""The LTI 1.3 launch: OIDC third-party login initiation, then the platform's id_token checked
(signature against the platform's JWKS, iss, aud, azp, exp/iat with leeway, nonce and state
once, deployment, message type, version).

Checks are written out here, one refusal message each, rather than left to a library's
generic "invalid token": an LMS admin reading the refusal page must see which part is wrong.
jwcrypto does the cryptography (JWS signature with the platform's key, picked by ``kid``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from nbcampus.school.core.api import CampusError, utcnow
from nbcampus.school.lti.models import LtiLaunch, LtiLogin
from nbcampus.school.lti.platforms import Platform

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINK_REQUEST = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINK_REQUEST)
#: a login initiation must come back as a launch within this time
LOGIN_LIFETIME = timedelta(minutes=10)


class LaunchRefused(CampusError):
    """A launch the tool does not accept; the message says why, for the LMS admin."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message, status=status)


@dataclass(frozen=True)
class Launch:
    """A verified launch: who, from which LMS course, asking what."""

    platform: Platform
    claims: dict[str, Any]

    @property
    def subject(self) -> str:
        return self.claims["sub"]

    @property
    def deployment_id(self) -> str:
        return self.claims[CLAIM + "deployment_id"]

    @property
    def message_type(self) -> str:
        return self.claims[CLAIM + "message_type"]

    @property
    def roles(self) -> list[str]:
        return list(self.claims.get(CLAIM + "roles", []))

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.claims.get(CLAIM + "context") or {})

    @property
    def custom(self) -> dict[str, Any]:
        return dict(self.claims.get(CLAIM + "custom") or {})

    @property
    def target_link_uri(self) -> str:
        return self.claims.get(CLAIM + "target_link_uri", "")

    @property
    def ags(self) -> dict[str, Any]:
        return dict(self.claims.get(AGS_CLAIM) or {})

    @property
    def nrps(self) -> dict[str, Any]:
        return dict(self.claims.get(NRPS_CLAIM) or {})

    @property
    def deep_linking(self) -> dict[str, Any]:
        return dict(self.claims.get(DEEP_LINKING + "deep_linking_settings") or {})


def begin_login(
    session: Session, platform: Platform, redirect_uri: str, params: dict[str, str]
) -> str:
    """Record a fresh state and nonce; return the platform's authorisation URL to redirect to.

    ``params`` are the platform's login initiation parameters (login_hint, lti_message_hint).
    """
    if not params.get("login_hint"):
        raise LaunchRefused("the login initiation has no login_hint", status=400)
    now = utcnow()
    # old logins that never came back are of no use
    session.execute(delete(LtiLogin).where(LtiLogin.created_at < now - 2 * LOGIN_LIFETIME))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        LtiLogin(
            state=state,
            nonce=nonce,
            issuer=platform.issuer,
            client_id=platform.client_id,
            created_at=now,
        )
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query)


def take_login(session: Session, state: str) -> LtiLogin:
    """The login of ``state``, marked used; refused when unknown, used already or too old.

    The conditional UPDATE lets exactly one of two concurrent launches with the same state win.
    """
    if not state:
        raise LaunchRefused("the launch has no state: start it again from the LMS")
    now = utcnow()
    taken = session.execute(
        update(LtiLogin)
        .where(LtiLogin.state == state, LtiLogin.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    login = session.get(LtiLogin, state)
    if login is None:
        raise LaunchRefused("this launch's state is unknown: start it again from the LMS")
    if not taken:
        raise LaunchRefused("this launch was already used (state and nonce are accepted once)")
    if login.created_at < now - LOGIN_LIFETIME:
        raise LaunchRefused("this launch took too long since its login initiation: start it again")
    return login


def key_id_of(id_token: str) -> str | None:
    """The ``kid`` of a token's header (which of the platform's keys signed it), if any."""
    try:
        token = jws.JWS()
        token.deserialize(id_token)
        return token.jose_header.get("kid")
    except (JWException, ValueError, KeyError, TypeError):
        return None


def unverified_issuer(id_token: str) -> str:
    """The ``iss`` of a token before it is verified (to pick the platform's keys)."""
    try:
        token = jws.JWS()
        token.deserialize(id_token)
        return str(json.loads(token.objects["payload"]).get("iss", ""))
    except (JWException, ValueError, KeyError, TypeError):
        raise LaunchRefused("the id_token is not a signed JWT", status=400) from None


def verify_id_token(
    id_token: str,
    platform: Platform,
    keys: jwk.JWKSet,
    login: LtiLogin,
    leeway: int = 60,
    now: datetime | None = None,
) -> Launch:
    """Check the platform's id_token against ``keys`` and the login it answers; return the launch."""
    try:
        token = jwt.JWT(
            jwt=id_token, key=keys, algs=["RS256", "RS384", "RS512"], check_claims=False
        )
    except JWException as e:
        raise LaunchRefused(
            f"the id_token's signature does not verify with {platform.name}'s keys ({platform.key_set_url}): {e}"
        ) from None
    except ValueError as e:
        raise LaunchRefused(f"the id_token is not a signed JWT: {e}", status=400) from None
    claims = json.loads(token.claims)
    check_claims(claims, platform, login, leeway, now or utcnow())
    return Launch(platform=platform, claims=claims)


def check_claims(
    claims: dict[str, Any], platform: Platform, login: LtiLogin, leeway: int, now: datetime
) -> None:
    """Each claim the specification requires, with its own refusal message."""
    if claims.get("iss") != platform.issuer:
        raise LaunchRefused(
            f"the id_token's issuer {claims.get('iss')!r} is not {platform.issuer!r}"
        )
    if login.issuer != platform.issuer or login.client_id != platform.client_id:
        raise LaunchRefused("the id_token answers a login initiated for another platform")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if platform.client_id not in audiences:
        raise LaunchRefused(
            f"the id_token is for audience {audience!r}, not this tool ({platform.client_id!r})"
        )
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != platform.client_id:
        raise LaunchRefused(
            f"the id_token's authorised party {claims.get('azp')!r} is not this tool"
        )
    stamp = now.timestamp()
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < stamp - leeway:
        raise LaunchRefused("the id_token has expired: start the launch again from the LMS")
    if not isinstance(claims.get("iat"), (int, float)) or claims["iat"] > stamp + leeway:
        raise LaunchRefused("the id_token is issued in the future: check the platform's clock")
    if claims.get("nonce") != login.nonce:
        raise LaunchRefused("the id_token's nonce does not match its login (a replayed token?)")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchRefused(
            f"LTI version {claims.get(CLAIM + 'version')!r} is not 1.3.0", status=400
        )
    if claims.get(CLAIM + "message_type") not in MESSAGE_TYPES:
        raise LaunchRefused(
            f"message type {claims.get(CLAIM + 'message_type')!r} is not one of {', '.join(MESSAGE_TYPES)}",
            status=400,
        )
    deployment = claims.get(CLAIM + "deployment_id")
    if deployment not in platform.deployment_ids:
        raise LaunchRefused(
            f"deployment {deployment!r} of {platform.name} is not registered with this school",
            status=403,
        )
    if not claims.get("sub"):
        raise LaunchRefused(
            "the id_token names no user (sub): anonymous launches are not accepted", status=400
        )
    if claims[CLAIM + "message_type"] == RESOURCE_LINK and not (
        claims.get(CLAIM + "resource_link") or {}
    ).get("id"):
        raise LaunchRefused("the launch has no resource link id", status=400)


def keep_launch(session: Session, launch: Launch, username: str) -> str:
    """Keep a verified launch for the page that follows it (course link, deep linking); its id."""
    launch_id = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(LtiLaunch).where(LtiLaunch.created_at < now - LOGIN_LIFETIME))
    session.add(
        LtiLaunch(
            id=launch_id,
            issuer=launch.platform.issuer,
            username=username,
            claims=launch.claims,
            created_at=now,
        )
    )
    return launch_id


def kept_launch(session: Session, launch_id: str, platforms: list[Platform]) -> tuple[Launch, str]:
    """(the launch, the username) kept under ``launch_id``, taken once; refused when unknown,
    used or too old."""
    row = session.get(LtiLaunch, launch_id or "", with_for_update=True)
    if row is None or row.created_at < utcnow() - LOGIN_LIFETIME:
        raise LaunchRefused(
            "this page's launch is unknown, used or too old: launch again from the LMS"
        )
    session.delete(row)
    platform = next(
        (p for p in platforms if p.issuer == row.issuer and p.client_id in _audiences(row.claims)),
        None,
    )
    if platform is None:
        raise LaunchRefused("the platform of this launch is no longer registered", status=403)
    return Launch(platform=platform, claims=row.claims), row.username


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return aud if isinstance(aud, list) else [aud]
