"""A learner's own address becomes theirs once they confirm it: a mail to it carries a signed
link; following it (a page with one button, as mail scanners open links) verifies the address.
The hub's address needs no confirmation: it is its authenticator's claim (single sign-on).
Admission by e-mail domain (a COOC) reads only a verified address."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from nbcampus.school.core.api import Conflict, audit
from nbcampus.school.notifications import tokens
from nbcampus.school.notifications.compose import Composer
from nbcampus.school.notifications.models import QUEUED, Mail
from nbcampus.school.notifications.preferences import PROFILE, profile, verified


def ask_to_confirm(session: Session, composer: Composer, username: str, now: datetime) -> bool:
    """Queue the confirmation mail of the learner's own unconfirmed address; False when there
    is nothing to confirm (no address, the hub's, or confirmed already)."""
    row = profile(session, username)
    if row is None or not row.email or row.email_source != PROFILE or verified(row):
        return False
    key = tokens.sign_address(composer.secret, username, row.email)
    link = composer.mailer.school_url("api/me/email/confirm?key=" + quote(key, safe=""))
    session.add(
        Mail(
            username=username,
            recipient=row.email,
            subject="Confirm your address for nbcampus",
            body=(
                f"Someone, hopefully you ({username}), gave this address to nbcampus.\n"
                f"Confirm it is yours: {link}\n\n"
                "If it was not you, ignore this mail: nothing is sent to this address again.\n"
            ),
            headers={"Message-ID": composer.message_id(), "Auto-Submitted": "auto-generated"},
            state=QUEUED,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return True


def confirm_address(session: Session, secret: bytes, key: str, now: datetime) -> dict[str, Any]:
    """Verify the address a confirmation key names, if it is still the learner's (audited)."""
    username, email = tokens.verify_address(secret, key)
    row = profile(session, username)
    if row is None or row.email != email:
        raise Conflict("this link confirms an address you no longer use: ask for a new one")
    if row.email_verified_at is None and row.email_source == PROFILE:
        row.email_verified_at = now
        audit(session, username, "email.verified", None, username, "confirmation link")
    return {"username": username, "email": email, "verified": True}
