"""The mail outbox in the service database: each mail is sent once, under a lease.

A mail is ``queued``; a sender claims it (``sending``, its lease until ``lease_expires_at``)
and commits that before it talks to the SMTP server; it renews the lease just before the SMTP
call and, once the server has accepted the mail, marks it ``sent`` while the lease is still its
own. The lease is longer than the SMTP timeout (Mailer checks it), so no other sender may claim
a mail while it is being sent. A sender that crashes leaves its lease to expire; the mail is then
claimed again and retried. The one window left is at the SMTP boundary: a sender killed after
the server accepted the mail but before ``sent`` was committed leaves a mail that is sent again
(at least once there, exactly once everywhere else); its Message-ID stays the same, so the
receiving side may recognise the copy. Failures wait longer each time (exponential backoff) and
a mail is given up (``failed``) after ``max_attempts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from nbcampus.school.core.api import utcnow
from nbcampus.school.notifications.models import FAILED, QUEUED, SENDING, SENT, Mail


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs of a claimed mail, read inside the claiming transaction."""

    id: int
    recipient: str
    subject: str
    body: str
    headers: dict[str, Any]
    attempts: int


def _claimable(now: datetime, max_attempts: int):
    return or_(
        and_(Mail.state == QUEUED, Mail.next_attempt_at <= now),
        and_(Mail.state == SENDING, Mail.lease_expires_at < now, Mail.attempts < max_attempts),
    )


def claim(
    session: Session,
    owner: str,
    lease: timedelta,
    *,
    limit: int,
    max_attempts: int,
    now: datetime | None = None,
) -> list[Outgoing]:
    """Take up to ``limit`` mails that are due, or whose sender's lease expired. Each is taken
    by a conditional UPDATE, so of two senders racing for a mail exactly one gets it."""
    now = now or utcnow()
    _give_up_abandoned(session, now, max_attempts)
    query = select(Mail.id).where(_claimable(now, max_attempts)).order_by(Mail.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    taken = []
    for mail_id in list(session.scalars(query)):
        result = session.execute(
            update(Mail)
            .where(Mail.id == mail_id, _claimable(now, max_attempts))
            .values(
                state=SENDING,
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=Mail.attempts + 1,
            )
        )
        if result.rowcount == 1:
            taken.append(mail_id)
    session.expire_all()
    mails = session.scalars(select(Mail).where(Mail.id.in_(taken)).order_by(Mail.id))
    return [
        Outgoing(m.id, m.recipient, m.subject, m.body, dict(m.headers), m.attempts) for m in mails
    ]


def _give_up_abandoned(session: Session, now: datetime, max_attempts: int) -> None:
    """A mail whose every attempt ended in a lost lease (senders crashing on it) is failed."""
    session.execute(
        update(Mail)
        .where(
            Mail.state == SENDING,
            Mail.lease_expires_at < now,
            Mail.attempts >= max_attempts,
        )
        .values(
            state=FAILED,
            lease_owner=None,
            lease_expires_at=None,
            error="given up: every attempt's sender stopped before it finished",
        )
    )


def renew(session: Session, mail_id: int, owner: str, lease: timedelta) -> bool:
    """Extend the lease just before the SMTP call; False when it is no longer ``owner``'s
    (then the mail is not sent by this sender)."""
    now = utcnow()
    result = session.execute(
        update(Mail)
        .where(
            Mail.id == mail_id,
            Mail.state == SENDING,
            Mail.lease_owner == owner,
            Mail.lease_expires_at > now,
        )
        .values(lease_expires_at=now + lease)
    )
    return result.rowcount == 1


def mark_sent(session: Session, mail_id: int, owner: str) -> bool:
    """The SMTP server accepted the mail; False if the lease was lost meanwhile (a copy may be
    sent by the sender that claimed it since: the at-least-once window)."""
    result = session.execute(
        update(Mail)
        .where(Mail.id == mail_id, Mail.state == SENDING, Mail.lease_owner == owner)
        .values(state=SENT, sent_at=utcnow(), lease_owner=None, lease_expires_at=None, error=None)
    )
    return result.rowcount == 1


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """The wait after ``attempts`` failed attempts: base, 2 base, 4 base, ... at most cap."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def mark_failed(
    session: Session,
    mail_id: int,
    owner: str,
    error: str,
    *,
    permanent: bool,
    max_attempts: int,
    base: float,
    cap: float,
) -> str | None:
    """An attempt failed: queue the mail again after the backoff, or give it up (``failed``)
    when the server refused it for good or after ``max_attempts``; its new state."""
    mail = session.scalar(
        select(Mail).where(Mail.id == mail_id, Mail.state == SENDING, Mail.lease_owner == owner)
    )
    if mail is None:
        return None
    mail.error = error[-2000:]
    mail.lease_owner = None
    mail.lease_expires_at = None
    if permanent or mail.attempts >= max_attempts:
        mail.state = FAILED
    else:
        mail.state = QUEUED
        mail.next_attempt_at = utcnow() + backoff(mail.attempts, base, cap)
    session.flush()
    return mail.state


def outbox_counts(session: Session) -> dict[str, int]:
    """Mails by state (for the log and the tests)."""
    rows = session.execute(select(Mail.state, func.count()).group_by(Mail.state)).all()
    counts = {state: 0 for state in (QUEUED, SENDING, SENT, FAILED)}
    counts.update(dict(rows))
    return counts
