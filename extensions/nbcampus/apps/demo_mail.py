"""The demo's SMTP sink (``nbcampus mailsink``): every mail sent to it on 127.0.0.1 (aiosmtpd)
is kept as an ``.eml`` file in a folder and shown, newest first, on a page (plain text,
escaped; the unsubscribe and confirmation links clickable). Nothing is relayed: the demo
school's mail never leaves the machine."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from tornado import web
from tornado.escape import xhtml_escape

#: the most mails the page shows
PAGE_SIZE = 100
_COUNTER = itertools.count()
_LINK = re.compile(r"https?://[^\s<>\"']+")
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}dt{font-weight:bold}"
)


class Keeper:
    """The SMTP handler: each mail received becomes one file (written whole, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:
        name = f"{time.time_ns()}-{next(_COUNTER)}.eml"
        partial = self.folder / f".{name}"
        partial.write_bytes(envelope.content)
        os.replace(partial, self.folder / name)
        return "250 kept"


def read_mails(folder: Path, limit: int = PAGE_SIZE) -> list[tuple[str, EmailMessage]]:
    """The mails kept in ``folder``, newest first: (file name, message)."""
    names = sorted((p for p in folder.glob("*.eml")), key=lambda p: p.name, reverse=True)
    return [
        (p.name, message_from_bytes(p.read_bytes(), policy=default_policy)) for p in names[:limit]
    ]


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _linked(text: str) -> str:
    """Escaped text whose http(s) addresses are links (the mails' own, to the school)."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(xhtml_escape(text[last : match.start()]))
        url = xhtml_escape(match.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    return "".join(out) + xhtml_escape(text[last:])


def mail_page(mails: list[tuple[str, EmailMessage]], smtp: str) -> str:
    """The sink's page: every header and body shown as text."""
    items = []
    for name, m in mails:
        unsubscribe = m.get("List-Unsubscribe", "")
        items.append(
            f"<article id='{xhtml_escape(name)}'><h2>{xhtml_escape(m.get('Subject', ''))}</h2><dl>"
            + "".join(
                f"<dt>{h}</dt><dd>{xhtml_escape(str(m.get(h, '')))}</dd>"
                for h in ("From", "To", "Date")
            )
            + (f"<dt>List-Unsubscribe</dt><dd>{_linked(unsubscribe)}</dd>" if unsubscribe else "")
            + f"</dl><pre>{_linked(_text(m))}</pre></article>"
        )
    body = "".join(items) or "<p>No mail yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Demo mail ({len(mails)})</title><style>{_STYLE}</style></head><body>"
        f"<h1>Mail the demo school sent</h1><p>SMTP sink at <code>{xhtml_escape(smtp)}</code>, "
        f"newest first (at most {PAGE_SIZE}). Reload to see new mail.</p>{body}</body></html>"
    )


class MailPage(web.RequestHandler):
    def get(self) -> None:
        folder, smtp = self.settings["folder"], self.settings["smtp"]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.set_header("Cache-Control", "no-store")
        self.finish(mail_page(read_mails(folder), smtp))


def run_sink(ip: str, smtp_port: int, web_port: int, folder: Path) -> None:
    """Keep mail arriving at ``ip:smtp_port`` in ``folder`` and serve its page on
    ``ip:web_port``, until interrupted."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keeper(folder), hostname=ip, port=smtp_port)
    controller.start()
    smtp = f"{ip}:{smtp_port}"

    async def serve() -> None:
        app = web.Application([(r"/", MailPage)], folder=folder, smtp=smtp)
        app.listen(web_port, ip)
        print(f"Demo mail: SMTP {smtp}, page http://{ip}:{web_port}/", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
