"""Mails from notifications: single mails, and digests batching a learner's waiting
notifications into one. Every mail is plain text and carries a signed one-click unsubscribe
link (RFC 8058: ``List-Unsubscribe`` and ``List-Unsubscribe-Post``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from nbcampus.school.core.api import utcnow
from nbcampus.school.notifications import tokens
from nbcampus.school.notifications.models import (
    DAILY,
    MAIL_NO_ADDRESS,
    MAIL_NONE,
    MAIL_PENDING,
    MAIL_QUEUED,
    QUEUED,
    SINGLE,
    WEEKLY,
    Mail,
    MailProfile,
    Notification,
)
from nbcampus.school.notifications.preferences import address, wants
from nbcampus.school.notifications.settings import Mailer

PERIODS = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}
#: a single mail is made within this time of its notification, or not at all
SINGLE_MAX_AGE = timedelta(days=2)
SUBJECT_PREFIX = "[nbcampus]"


@dataclass(frozen=True)
class Composer:
    """What a mail needs from the service: the settings (addresses) and the signing secret."""

    mailer: Mailer
    secret: bytes

    def unsubscribe_url(self, username: str, pairs: list[tuple[str, str]]) -> str:
        key = tokens.sign(self.secret, username, pairs)
        return self.mailer.school_url("api/unsubscribe?key=" + quote(key, safe=""))

    def message_id(self) -> str:
        domain = self.mailer.sender.rpartition("@")[2].strip(" >") or "nbcampus"
        return f"<{uuid.uuid4().hex}@{domain}>"

    def mail(self, username: str, recipient: str, subject: str, items: list[Notification]) -> Mail:
        pairs = sorted({(n.course_id, n.kind) for n in items if n.course_id})
        unsubscribe = self.unsubscribe_url(username, pairs)
        parts = []
        for n in items:
            text = n.title + ("\n" + n.body if n.body else "")
            if n.link:
                text += "\n" + self.mailer.school_url(n.link)
            parts.append(text)
        what = ", ".join(f"{k.replace('_', ' ')} in {c}" for c, k in pairs) or "these"
        footer = (
            f"You receive this mail because of your preferences in nbcampus ({what}).\n"
            f"Stop these mails: {unsubscribe}\n"
            f"All your choices: {self.mailer.school_url('api/me/preferences')}"
        )
        return Mail(
            username=username,
            recipient=recipient,
            subject=subject,
            body="\n\n".join(parts) + "\n\n-- \n" + footer + "\n",
            headers={
                "Message-ID": self.message_id(),
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
            state=QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )


def _pending(session: Session, digests: tuple[str, ...], limit: int | None = None):
    """Notifications waiting for a mail, locked, of learners taking one of ``digests`` (a
    learner without a profile takes single mails)."""
    taken = MailProfile.digest.in_(digests)
    if SINGLE in digests:
        taken = or_(MailProfile.digest.is_(None), taken)
    query = (
        select(Notification)
        .outerjoin(MailProfile, MailProfile.username == Notification.username)
        .where(Notification.mail_state == MAIL_PENDING, taken)
        .order_by(Notification.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Notification, skip_locked=True)
    return list(session.scalars(query))


def _digest(session: Session, username: str) -> str:
    row = session.get(MailProfile, username)
    return row.digest if row is not None else SINGLE


def _still_wanted(session: Session, items: list[Notification]) -> list[Notification]:
    """Drop what the learner turned off since (no mail to someone who turned it off)."""
    kept = []
    for n in items:
        if wants(session, n.username, n.course_id, n.kind)[1]:
            kept.append(n)
        else:
            n.mail_state = MAIL_NONE
    return kept


def _queue(session: Session, composer: Composer, username: str, items, subject: str) -> int:
    recipient = address(session, username)
    if recipient is None:  # nowhere to send it: the lab has it, no mail
        for n in items:
            n.mail_state = MAIL_NO_ADDRESS
        return 0
    mail = composer.mail(username, recipient, subject, items)
    session.add(mail)
    session.flush()
    for n in items:
        n.mail_state, n.mail_id = MAIL_QUEUED, mail.id
    return 1


def compose_single(session: Session, composer: Composer, limit: int = 500) -> int:
    """One mail per waiting notification of learners who take single mails; how many queued.
    The notifications' rows are locked while they become mails, so two replicas composing at
    once make each mail once (PostgreSQL skips the other's rows; SQLite writers take turns).
    A notification older than ``SINGLE_MAX_AGE`` (mail was off meanwhile) is not mailed."""
    queued = 0
    stale = utcnow() - SINGLE_MAX_AGE
    for n in _pending(session, (SINGLE,), limit):
        if n.created_at < stale:
            n.mail_state = MAIL_NONE
            continue
        items = _still_wanted(session, [n])
        if items:
            subject = f"{SUBJECT_PREFIX} {n.title}"[:300]
            queued += _queue(session, composer, n.username, items, subject)
    session.flush()
    return queued


def compose_digests(session: Session, composer: Composer, now: datetime | None = None) -> int:
    """One mail per learner on a daily or weekly digest whose period is over, batching all their
    waiting notifications; how many mails queued."""
    now = now or utcnow()
    by_user: dict[str, list[Notification]] = {}
    for n in _pending(session, tuple(PERIODS)):
        by_user.setdefault(n.username, []).append(n)
    queued = 0
    for username, items in sorted(by_user.items()):
        digest = _digest(session, username)
        if digest not in PERIODS:
            continue
        row = session.get(MailProfile, username)
        since = row.digest_sent_at or min(n.created_at for n in items)
        if now < since + PERIODS[digest]:
            continue
        items = _still_wanted(session, items)
        row.digest_sent_at = now
        if items:
            subject = f"{SUBJECT_PREFIX} your {digest} digest: {len(items)} notification(s)"
            queued += _queue(session, composer, username, items, subject)
    session.flush()
    return queued
