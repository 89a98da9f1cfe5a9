"""Accounts: sign-up and login with NativeAuthenticator, plus accounts seeded from a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bcrypt
from jupyterhub import orm
from jupyterhub.utils import url_path_join
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import Bool, Set, Unicode, default

from nbcampus.hub.lti import HANDLERS as LTI_HANDLERS
from nbcampus.hub.lti import is_lti_username
from nbcampus.hub.reserved import RESERVED_USERNAMES, is_reserved_username
from nbcampus.hub.signup import CampusSignUpHandler
from nbcampus.hub.sso import CampusSSO
from nbcampus.hub.sso_login import CampusSSOLoginPage, SSOCallbackHandler, SSOLoginHandler


class CampusAuthenticator(NativeAuthenticator):
    """NativeAuthenticator (open sign-up for open courses) that also creates seeded accounts.

    The accounts file is a JSON list of ``{"username": ..., "password": ...}``; missing accounts
    are created, authorised, at hub start. Existing accounts are left alone, so a learner who
    changed their password keeps it.
    """

    accounts_file = Unicode("", help="JSON list of accounts to create at start-up.").tag(
        config=True
    )

    reserved_usernames = Set(
        Unicode(),
        set(RESERVED_USERNAMES),
        help="Names nobody may sign up under (nor under a look-alike: 'Ad-min' for 'admin'): "
        "admins, services, root, hub... configure_hub adds admin_users and the service names. "
        "Seeded accounts are not signed up and may carry these names.",
    ).tag(config=True)

    native_login = Bool(
        help="Native accounts: sign-up and password login (open courses). False: only single "
        "sign-on (CampusSSO.issuer), password logins and sign-up refused. From "
        "NBCAMPUS_NATIVE_LOGIN (0 turns them off)."
    ).tag(config=True)

    @default("native_login")
    def _default_native_login(self) -> bool:
        return os.environ.get("NBCAMPUS_NATIVE_LOGIN", "1").lower() not in ("0", "false", "no")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # single sign-on beside the native accounts (docs/sso.md); None when not configured
        sso = CampusSSO(parent=self)
        self.sso: CampusSSO | None = sso if sso.issuer else None
        if self.sso is not None:
            self.sso.check_settings()
        if not self.native_login:
            self.enable_signup = False
        if self.accounts_file and Path(self.accounts_file).is_file():
            self.seed_accounts(json.loads(Path(self.accounts_file).read_text()))

    def seed_accounts(self, accounts: list[dict[str, str]]) -> list[str]:
        """Create the accounts that do not exist yet; return the names created."""
        created = []
        for account in accounts:
            username = self.normalize_username(account["username"])
            if self.user_exists(username):
                continue
            if (
                not self.validate_username(username)
                or len(account["password"]) < self.minimum_password_length
            ):
                raise ValueError(
                    f"{self.accounts_file}: account {username!r} has an invalid name or a short password"
                )
            hashed = bcrypt.hashpw(account["password"].encode(), bcrypt.gensalt())
            self.db.add(UserInfo(username=username, password=hashed, is_authorized=True))
            created.append(username)
        if created:
            self.db.commit()
            self.log.info("Created accounts: %s", ", ".join(created))
        return created

    def create_user(self, username, password, **kwargs):
        """Sign-up: refused (None, as for any invalid sign-up) for a reserved name, for a name
        the hub has without a native account (signed on, or staff named in a course), and for an
        LMS account's name (LTI launches)."""
        name = self.normalize_username(username)
        if is_reserved_username(name, self.reserved_usernames) or is_lti_username(name):
            self.log.warning("Sign-up refused: %r is a reserved name", username)
            return None
        if not self.user_exists(name) and orm.User.find(self.db, name) is not None:
            self.log.warning("Sign-up refused: %r is a hub user without a password", username)
            return None
        return super().create_user(username, password, **kwargs)

    async def authenticate(self, handler, data):
        if not self.native_login:
            return None  # the login page says so; this also closes any other password path
        return await super().authenticate(handler, data)

    def sso_login_url(self, base_url: str) -> str:
        return url_path_join(base_url, "oauth_login")

    def get_handlers(self, app):
        ours = {r"/login": CampusSSOLoginPage, r"/signup": CampusSignUpHandler}
        handlers = [(path, ours.get(path, h)) for path, h in super().get_handlers(app)]
        if self.sso is not None:
            handlers += [
                (r"/oauth_login", SSOLoginHandler),
                (r"/oauth_callback", SSOCallbackHandler),
            ]
        return handlers + LTI_HANDLERS  # LTI 1.3 launches log in through the service's ticket
