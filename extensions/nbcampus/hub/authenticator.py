"""Accounts: sign-up and login with NativeAuthenticator, plus accounts seeded from a file."""

from __future__ import annotations

import json
from pathlib import Path

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import Set, Unicode

from nbcampus.hub.login import CampusLoginHandler
from nbcampus.hub.lti import HANDLERS as LTI_HANDLERS
from nbcampus.hub.lti import is_lti_username
from nbcampus.hub.reserved import RESERVED_USERNAMES, is_reserved_username
from nbcampus.hub.signup import CampusSignUpHandler


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        """Sign-up: refused (None, as for any invalid sign-up) for a reserved name."""
        name = self.normalize_username(username)
        # names of LMS accounts are the platforms' (LTI launches): nobody may take one here
        if is_reserved_username(name, self.reserved_usernames) or is_lti_username(name):
            self.log.warning("Sign-up refused: %r is a reserved name", username)
            return None
        return super().create_user(username, password, **kwargs)

    def get_handlers(self, app):
        ours = {r"/login": CampusLoginHandler, r"/signup": CampusSignUpHandler}
        handlers = [(path, ours.get(path, handler)) for path, handler in super().get_handlers(app)]
        return handlers + LTI_HANDLERS  # LTI 1.3 launches log in through the service's ticket
