"""Single sign-on: OpenID Connect with a campus identity provider, through OAuthenticator's
GenericOAuthenticator, beside the native accounts (docs/sso.md).

:class:`CampusSSO` finds the provider's endpoints from its issuer (OIDC discovery), checks the
id_token's signature against the provider's JWKS and its issuer, audience and expiry, reads
the claims (username, e-mail, display name, groups) the settings name, and maps the
provider's groups to hub groups: organisation groups (a COOC's ``hub_groups`` and
``partners``) and the staff groups of a course, which :func:`configure_sso` gives the course's
instructor or TA scope. The e-mail it gives the hub (``user_info.email``) is the hub's address
of the learner, verified for admission by e-mail domain (``notifications.verified``).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from oauthenticator.generic import GenericOAuthenticator
from tornado import web
from traitlets import Dict, Float, Unicode, default, validate
from traitlets.config import Config

from nbcampus.course.model import Course
from nbcampus.school.core.api import course_scope

#: what a group target may give: a course's staff role (``instructor:<course>``, ``ta:<course>``)
STAFF_KINDS = {"instructor": "teach", "ta": "grade"}
_TARGET = re.compile(r"^(?:(instructor|ta):)?([A-Za-z0-9][A-Za-z0-9_.@-]{0,254})$")


def staff_group(kind: str, course_id: str) -> str:
    """The hub group whose members are ``kind`` (instructor, ta) of the course."""
    return f"nbcampus-{kind}-{course_id}"


def check_group_map(value: dict) -> dict[str, list[str]]:
    """The group map, refused with the group and the target when one is malformed."""
    if not isinstance(value, dict):
        raise ValueError('the SSO group map must be {"IdP group": ["hub group", "ta:course"]}')
    result = {}
    for group, targets in value.items():
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(targets, list):
            raise ValueError(f"SSO group map: {group!r} must map to a list of targets")
        for target in targets:
            if not isinstance(target, str) or not _TARGET.match(target):
                raise ValueError(
                    f"SSO group map: target {target!r} of {group!r} is neither a hub group name "
                    "nor instructor:<course> or ta:<course>"
                )
        result[str(group)] = list(targets)
    return result


def hub_groups_of(idp_groups: set[str], group_map: dict[str, list[str]]) -> set[str]:
    """The hub groups of someone in ``idp_groups``: what the map gives each of them (groups
    the map does not name give nothing, so a provider's group cannot happen to match a COOC)."""
    found = set()
    for group in idp_groups:
        for target in group_map.get(group, []):
            kind, _, name = target.rpartition(":")
            found.add(staff_group(kind, name) if kind else name)
    return found


class CampusSSO(GenericOAuthenticator):
    """OpenID Connect login at the campus identity provider (used by CampusAuthenticator)."""

    issuer = Unicode(
        help="The provider's issuer URL (its /.well-known/openid-configuration is read); empty: "
        "no single sign-on. From NBCAMPUS_SSO_ISSUER."
    ).tag(config=True)

    @default("issuer")
    def _default_issuer(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_ISSUER", "").rstrip("/")

    @default("login_service")
    def _default_login_service(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_PROVIDER_NAME", "your organisation")

    @default("client_id")
    def _default_client_id(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_CLIENT_ID") or os.environ.get("OAUTH_CLIENT_ID", "")

    client_secret_file = Unicode(
        help="A file holding the client secret (a mounted Secret). From "
        "NBCAMPUS_SSO_CLIENT_SECRET_FILE; else client_secret (NBCAMPUS_SSO_CLIENT_SECRET)."
    ).tag(config=True)

    @default("client_secret_file")
    def _default_client_secret_file(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_CLIENT_SECRET_FILE", "")

    @default("client_secret")
    def _default_client_secret(self) -> str:
        if self.client_secret_file:
            return Path(self.client_secret_file).read_text().strip()
        return os.environ.get("NBCAMPUS_SSO_CLIENT_SECRET") or os.environ.get(
            "OAUTH_CLIENT_SECRET", ""
        )

    @default("username_claim")
    def _default_username_claim(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_USERNAME_CLAIM", "preferred_username")

    email_claim = Unicode(
        help="The claim holding the e-mail address (a verified address for admission by "
        "domain, unless the provider says email_verified: false). From NBCAMPUS_SSO_EMAIL_CLAIM."
    ).tag(config=True)

    @default("email_claim")
    def _default_email_claim(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_EMAIL_CLAIM", "email")

    name_claim = Unicode(
        help="The claim holding the display name. From NBCAMPUS_SSO_NAME_CLAIM."
    ).tag(config=True)

    @default("name_claim")
    def _default_name_claim(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_NAME_CLAIM", "name")

    groups_claim = Unicode(
        help="The claim listing the person's groups at the provider. From NBCAMPUS_SSO_GROUPS_CLAIM."
    ).tag(config=True)

    @default("groups_claim")
    def _default_groups_claim(self) -> str:
        return os.environ.get("NBCAMPUS_SSO_GROUPS_CLAIM", "groups")

    group_map = Dict(
        help="Provider group -> what it gives: hub group names (a COOC's hub_groups or "
        "partners) and course staff roles, 'instructor:<course>' or 'ta:<course>'. Groups not "
        "named give nothing. From NBCAMPUS_SSO_GROUP_MAP (JSON), e.g. "
        '{"staff": ["acme"], "cs101-teachers": ["instructor:cs101"]}.'
    ).tag(config=True)

    @default("group_map")
    def _default_group_map(self) -> dict[str, list[str]]:
        raw = os.environ.get("NBCAMPUS_SSO_GROUP_MAP") or "{}"
        try:
            return check_group_map(json.loads(raw))
        except ValueError as e:
            raise ValueError(f"NBCAMPUS_SSO_GROUP_MAP: {e}") from None

    @validate("group_map")
    def _check_group_map(self, proposal) -> dict[str, list[str]]:
        return check_group_map(proposal["value"])

    leeway_seconds = Float(60, help="Clock skew allowed on the id_token's exp and iat.").tag(
        config=True
    )

    @default("scope")
    def _default_scope(self) -> list[str]:
        return ["openid", "profile", "email"]

    @default("manage_groups")
    def _default_manage_groups(self) -> bool:
        return True  # the provider's groups decide a signed-on person's hub groups

    @default("basic_auth")
    def _default_basic_auth(self) -> bool:
        return True  # client_secret_basic: OpenID Connect's default client authentication

    _discovered = Dict()
    _keys = None

    def check_settings(self) -> None:
        """Refuse, at hub start, settings a first login would trip over."""
        if not self.client_id:
            raise ValueError(
                f"single sign-on at {self.issuer} needs a client id: set "
                "NBCAMPUS_SSO_CLIENT_ID (or c.CampusSSO.client_id)"
            )
        self.group_map  # noqa: B018  (reading the default checks it)

    # -- discovery and the id_token ---------------------------------------------------------
    async def discover(self) -> None:
        """Read the provider's endpoints from its discovery document once (the settings'
        authorize_url, token_url and userdata_url, when given, win)."""
        if self._discovered:
            return
        if not self.issuer:
            raise web.HTTPError(404, "single sign-on is not configured on this school")
        url = self.issuer + "/.well-known/openid-configuration"
        try:
            found = await self.httpfetch(url, label="reading the provider's configuration")
        except Exception as e:
            raise web.HTTPError(
                503, f"the identity provider at {self.issuer} does not answer ({e}): try again"
            ) from None
        if found.get("issuer", "").rstrip("/") != self.issuer:
            raise web.HTTPError(
                503, f"{url} names issuer {found.get('issuer')!r}, not {self.issuer!r}"
            )
        self.authorize_url = self.authorize_url or found["authorization_endpoint"]
        self.token_url = self.token_url or found["token_endpoint"]
        self.userdata_url = self.userdata_url or found.get("userinfo_endpoint", "")
        self._discovered = found

    async def _jwks(self, refresh: bool = False) -> jwk.JWKSet:
        if self._keys is None or refresh:
            text = await self.httpfetch(
                self._discovered["jwks_uri"], label="reading the provider's keys", parse_json=False
            )
            self._keys = jwk.JWKSet.from_json(text.body)
        return self._keys

    async def id_token_claims(self, id_token: str) -> dict[str, Any]:
        """The id_token's claims once its signature, issuer, audience and times are checked
        (403 naming what is wrong otherwise). Keys are read again once for an unknown key id."""
        for refresh in (False, True):
            keys = await self._jwks(refresh)
            try:
                # the claims are checked below, with the leeway
                token = jwt.JWT(
                    jwt=id_token,
                    key=keys,
                    algs=["RS256", "ES256", "PS256"],
                    check_claims=False,
                    expected_type="JWS",
                )
                break
            except (jws.InvalidJWSSignature, jwt.JWTMissingKey, JWException, ValueError) as e:
                error = e
        else:
            raise web.HTTPError(403, f"the provider's id_token is not signed by it: {error}")
        claims = json.loads(token.claims)
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        now = time.time()
        if claims.get("iss", "").rstrip("/") != self.issuer:
            raise web.HTTPError(403, f"the id_token comes from {claims.get('iss')!r}")
        if self.client_id not in audiences or (
            len(audiences) > 1 and claims.get("azp") != self.client_id
        ):
            raise web.HTTPError(403, "the id_token is meant for another client")
        if not now - self.leeway_seconds < float(claims.get("exp", 0)):
            raise web.HTTPError(403, "the id_token has expired: sign in again")
        if float(claims.get("iat", now)) > now + self.leeway_seconds:
            raise web.HTTPError(403, "the id_token is issued in the future: check the clocks")
        return claims

    async def token_to_user(self, token_info: dict[str, Any]) -> dict[str, Any]:
        """The person's claims: the checked id_token's, completed by the userinfo endpoint's
        (which must be about the same subject)."""
        await self.discover()
        if not token_info.get("id_token"):
            raise web.HTTPError(403, "the provider sent no id_token: is 'openid' in the scope?")
        claims = await self.id_token_claims(token_info["id_token"])
        if self.userdata_url:
            info = await super().token_to_user(token_info)
            if info.get("sub") != claims.get("sub"):
                raise web.HTTPError(403, "the provider's userinfo is about someone else")
            claims = {**claims, **info}
        return claims

    # -- who the person is in the school ----------------------------------------------------
    def idp_groups(self, claims: dict[str, Any]) -> set[str]:
        groups = claims.get(self.groups_claim) or []
        return {str(g) for g in ([groups] if isinstance(groups, str) else groups)}

    async def get_user_groups(self, auth_state: dict) -> set[str]:
        return hub_groups_of(self.idp_groups(auth_state[self.user_auth_state_key]), self.group_map)

    async def update_auth_model(self, auth_model: dict[str, Any]) -> dict[str, Any]:
        """The hub's user_info: the e-mail (unless the provider says it is not verified), the
        display name and the provider. Refused for a name that is a native account's."""
        name = auth_model["name"]
        native = getattr(self.parent, "user_exists", None)
        if native is not None and native(name):
            raise web.HTTPError(
                403,
                f"{name!r} is an account with a password on this school: sign in with the "
                "password, or ask an administrator to link the account",
            )
        claims = auth_model["auth_state"][self.user_auth_state_key]
        email = claims.get(self.email_claim)
        info: dict[str, Any] = {"sso": self.issuer}
        if isinstance(email, str) and claims.get("email_verified") is not False:
            info["email"] = email.strip()
        if isinstance(claims.get(self.name_claim), str):
            info["name"] = claims[self.name_claim][:255]
        auth_model["user_info"] = info
        return auth_model


def configure_sso(c: Config, courses: dict[str, Course], sso: CampusSSO | None = None) -> Config:
    """Give the staff groups the group map names their course's scope (a role per group),
    when single sign-on is on; sets values only."""
    sso = sso or CampusSSO(config=c)
    if not sso.issuer:
        return c
    roles = []
    for target in sorted({t for ts in sso.group_map.values() for t in ts}):
        kind, _, course_id = target.rpartition(":")
        if kind in STAFF_KINDS and course_id in courses:
            roles.append(
                {
                    "name": f"nbcampus-sso-{kind}-{course_id}",
                    "scopes": [course_scope(STAFF_KINDS[kind], course_id)],
                    "groups": [staff_group(kind, course_id)],
                }
            )
    names = {r["name"] for r in roles}
    loaded = c.JupyterHub.get("load_roles") if "JupyterHub" in c else None
    kept = [r for r in (loaded if isinstance(loaded, list) else []) if r["name"] not in names]
    c.JupyterHub.load_roles = kept + roles
    return c
