"""The demo's mail: `nbcampus demo` starts an SMTP sink on 127.0.0.1 and points the service's
Mailer at it; the sink keeps every mail as a file and shows it on a page, as text."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import requests
from traitlets.config.loader import PyFileConfigLoader

from nbcampus.apps.demo import start_mail_sink
from nbcampus.school.notifications.api import Mailer
from nbcampus.testing import free_port

UNSUBSCRIBE = "http://127.0.0.1:8000/services/nbcampus/api/unsubscribe?key=abc"


def test_the_demo_sink_keeps_mail_and_shows_it_as_text(tmp_path):
    smtp_port, web_port = free_port(), free_port()
    process, config_file = start_mail_sink(tmp_path, smtp_port, web_port)
    try:
        # the service, started with this config, mails the sink
        config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
        mailer = Mailer(config=config)
        assert mailer.enabled and (mailer.host, mailer.port) == ("127.0.0.1", smtp_port)
        mail = EmailMessage()
        mail["From"], mail["To"] = mailer.sender, "ana@example.org"
        mail["Subject"] = "Your feedback on ex1 is ready"
        mail["List-Unsubscribe"] = f"<{UNSUBSCRIBE}>"
        mail.set_content(f"<script>alert(1)</script> Fetch it. Stop: {UNSUBSCRIBE}")
        with smtplib.SMTP(mailer.host, mailer.port, timeout=30) as smtp:
            smtp.send_message(mail)
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
        page = requests.get(f"http://127.0.0.1:{web_port}/", timeout=30)
        assert page.status_code == 200
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        assert "Your feedback on ex1 is ready" in page.text and "ana@example.org" in page.text
        assert "<script>" not in page.text and "&lt;script&gt;" in page.text
        assert f'<a href="{UNSUBSCRIBE.replace("&", "&amp;")}">' in page.text
    finally:
        process.terminate()
        process.wait(timeout=30)
