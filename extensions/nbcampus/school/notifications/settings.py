"""The school's mail settings: one traitlets class, set in the service's configuration file
(``c.Mailer.host = ...``) like every other setting."""

from __future__ import annotations

import os

from traitlets import Bool, Float, Integer, Unicode, default, validate
from traitlets.config import Configurable

from nbcampus.school.certificates.api import CertificateSettings


class Mailer(Configurable):
    """How the school sends mail: the SMTP server, the sender, retries and leases."""

    enabled = Bool(
        False, help="Send notification mails. Off: notifications reach the lab only."
    ).tag(config=True)
    host = Unicode("localhost", help="SMTP server host.").tag(config=True)
    port = Integer(25, help="SMTP server port (587 with STARTTLS, 465 for TLS).").tag(config=True)
    starttls = Bool(False, help="Upgrade the connection with STARTTLS before sending.").tag(
        config=True
    )
    use_tls = Bool(False, help="Connect with TLS from the start (port 465).").tag(config=True)
    username = Unicode("", help="SMTP login; empty: none.").tag(config=True)
    password = Unicode("", help="SMTP password. From NBCAMPUS_SMTP_PASSWORD.").tag(config=True)

    @default("password")
    def _default_password(self) -> str:
        return os.environ.get("NBCAMPUS_SMTP_PASSWORD", "")

    sender = Unicode(
        "nbcampus <nbcampus@localhost>", help="The From address of the school's mails."
    ).tag(config=True)
    timeout_seconds = Float(30.0, help="Longest an SMTP conversation may take.").tag(config=True)
    lease_seconds = Float(
        120.0,
        help="How long a sender holds a mail it is sending; after it another replica may send "
        "it (a crashed sender). Must exceed timeout_seconds.",
    ).tag(config=True)
    max_attempts = Integer(6, help="Attempts before a mail is given up (state failed).").tag(
        config=True
    )
    backoff_seconds = Float(
        60.0, help="Wait after the first failure; doubled after each further one."
    ).tag(config=True)
    max_backoff_seconds = Float(6 * 3600.0, help="Longest wait between attempts.").tag(config=True)
    batch = Integer(20, help="Mails a sender claims at once.").tag(config=True)
    public_url = Unicode(
        help="The hub's public address, for the links in mails; default: the certificates' "
        "public_url (CertificateSettings.public_url)."
    ).tag(config=True)

    @default("public_url")
    def _default_public_url(self) -> str:
        return CertificateSettings(parent=self.parent, config=self.config).public_url

    service_prefix = Unicode(help="URL prefix of the service; default: the service's.").tag(
        config=True
    )

    @default("service_prefix")
    def _default_service_prefix(self) -> str:
        return CertificateSettings(parent=self.parent, config=self.config).service_prefix

    @validate("lease_seconds")
    def _check_lease(self, proposal):
        if proposal["value"] <= self.timeout_seconds:
            raise ValueError(
                f"Mailer.lease_seconds ({proposal['value']}) must exceed Mailer.timeout_seconds "
                f"({self.timeout_seconds}): a mail must not be claimed again while it is sent"
            )
        return proposal["value"]

    def school_url(self, path: str) -> str:
        """An address in the school for a mail: the public URL, the service prefix, ``path``."""
        base = self.public_url.rstrip("/") + "/" + self.service_prefix.strip("/") + "/"
        return base + path.lstrip("/")
