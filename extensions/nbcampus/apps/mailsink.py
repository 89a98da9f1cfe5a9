"""``nbcampus mailsink``: the demo's SMTP sink and the page showing what it received
(``nbcampus.apps.demo_mail``). ``nbcampus demo`` starts it and points the service's ``Mailer``
at it."""

from __future__ import annotations

import os
from pathlib import Path

from traitlets import Integer, Unicode, default
from traitlets.config import Application


class MailSinkApp(Application):
    """Run the demo's SMTP sink and its page in the foreground."""

    name = "nbcampus-mailsink"
    description = "Keep the mail sent to 127.0.0.1 and show it on a page (the demo's mail)."

    ip = Unicode("127.0.0.1", help="Address of the SMTP sink and of its page.").tag(config=True)
    smtp_port = Integer(8025, help="Port of the SMTP sink.").tag(config=True)
    web_port = Integer(8026, help="Port of the page showing the mail received.").tag(config=True)
    folder = Unicode(help="Where mails are kept as .eml files; <NBCAMPUS_STATE_DIR>/mail.").tag(
        config=True
    )

    @default("folder")
    def _default_folder(self) -> str:
        return str(Path(os.environ.get("NBCAMPUS_STATE_DIR", "var")) / "mail")

    aliases = {
        "smtp-port": "MailSinkApp.smtp_port",
        "web-port": "MailSinkApp.web_port",
        "folder": "MailSinkApp.folder",
    }

    def start(self) -> None:
        # loaded when the sink starts: aiosmtpd and tornado cost the other subcommands nothing
        from nbcampus.apps.demo_mail import run_sink

        run_sink(self.ip, self.smtp_port, self.web_port, Path(self.folder))
