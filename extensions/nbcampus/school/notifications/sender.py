"""The sender: a worker in the service (one per replica) that composes single mails, claims
due mails under a lease and sends them over SMTP (see outbox.py for why each is sent once)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib

from nbcampus.school.core.api import Database
from nbcampus.school.notifications import outbox
from nbcampus.school.notifications.compose import Composer, compose_single
from nbcampus.school.notifications.settings import Mailer

log = logging.getLogger("nbcampus.notifications")

#: runs blocking database work off the event loop: ``await run(fn, *args)``
Runner = Callable[..., Awaitable[Any]]


def message(mailer: Mailer, mail: outbox.Outgoing) -> EmailMessage:
    """The mail as it goes out: plain text (UTF-8), the school's headers."""
    msg = EmailMessage()
    msg["From"] = mailer.sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.body)
    return msg


def _permanent(error: Exception) -> bool:
    """A refusal for good (5xx: no such mailbox, refused recipient), not worth retrying."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


class MailSender:
    """Sends the outbox's mails; ``owner`` names this sender in the leases it takes."""

    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        composer: Composer,
        *,
        owner: str | None = None,
        run: Runner | None = None,
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.composer = composer
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._run = run

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.mailer.lease_seconds)

    async def run(self, fn, *args):
        if self._run is not None:
            return await self._run(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def _in_session(self, fn, *args):
        with self.db.session() as session:
            return fn(session, *args)

    def _compose(self) -> int:
        return self._in_session(compose_single, self.composer)

    def _claim(self) -> list[outbox.Outgoing]:
        m = self.mailer
        return self._in_session(
            lambda s: outbox.claim(
                s, self.owner, self.lease, limit=m.batch, max_attempts=m.max_attempts
            )
        )

    async def send(self, mail: outbox.Outgoing) -> str:
        """Send one claimed mail: ``sent``, ``lost`` (another sender holds it now) or the state
        after a failed attempt (``queued`` again, or ``failed``)."""
        m = self.mailer
        held = await self.run(
            self._in_session, lambda s: outbox.renew(s, mail.id, self.owner, self.lease)
        )
        if not held:
            return "lost"
        try:
            await aiosmtplib.send(
                message(m, mail),
                hostname=m.host,
                port=m.port,
                start_tls=m.starttls,
                use_tls=m.use_tls,
                username=m.username or None,
                password=m.password or None,
                timeout=m.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            text, permanent = f"{type(error).__name__}: {error}", _permanent(error)
        else:
            text, permanent = None, False
        if text is not None:
            state = await self.run(
                self._in_session,
                lambda s: outbox.mark_failed(
                    s,
                    mail.id,
                    self.owner,
                    text,
                    permanent=permanent,
                    max_attempts=m.max_attempts,
                    base=m.backoff_seconds,
                    cap=m.max_backoff_seconds,
                ),
            )
            log.warning("Mail %s to %s not sent (%s): %s", mail.id, mail.recipient, state, text)
            return state or "lost"
        marked = await self.run(
            self._in_session, lambda s: outbox.mark_sent(s, mail.id, self.owner)
        )
        if not marked:
            log.warning("Mail %s was sent after its lease was lost: it may be sent twice", mail.id)
        return "sent"

    async def run_once(self) -> int:
        """Compose the waiting single mails, then send what is due; how many were sent."""
        await self.run(self._compose)
        sent = 0
        for mail in await self.run(self._claim):
            if await self.send(mail) == "sent":
                sent += 1
        return sent

    async def run_forever(self, interval: float) -> None:
        """Every ``interval`` seconds (at once again while there is more to send)."""
        while True:
            try:
                busy = await self.run_once() >= self.mailer.batch
            except Exception:
                log.exception("Mail sender failed; trying again in %s s", interval)
                busy = False
            if not busy:
                await asyncio.sleep(interval)
