"""``nbcampus demo``: prepare the demo school under ./var and start the hub in the foreground."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from traitlets import Bool, Integer
from traitlets.config import Application

from nbcampus.course.loader import load_catalog
from nbcampus.hub.settings import CampusSettings

# role, username; every learner is enrolled in the MOOC, and each in one smaller course
DEMO_ACCOUNTS = [
    ("admin", "admin"),
    ("instructor", "instructor"),
    ("mentor", "mentor"),
    ("learner", "learner1"),
    ("learner", "learner2"),
    ("learner", "learner3"),
]
DEMO_ENROLMENTS = {
    "learner1": ["python-data", "testing-spoc"],
    "learner2": ["python-data", "acme-secure-coding"],
    "learner3": ["python-data", "algorithms-circle", "testing-spoc"],
}


def _write_private(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def prepare_demo(settings: CampusSettings, catalog: dict | None = None) -> list[dict[str, str]]:
    """Create the demo accounts (once, with random passwords) and enrolments; return the accounts."""
    state = Path(settings.state_dir)
    (state / "homes").mkdir(parents=True, exist_ok=True)
    accounts_file = Path(settings.accounts_file)
    accounts = json.loads(accounts_file.read_text()) if accounts_file.is_file() else []
    known = {a["username"] for a in accounts}
    missing = [
        {"role": role, "username": name, "password": secrets.token_urlsafe(9)}
        for role, name in DEMO_ACCOUNTS
        if name not in known
    ]
    if missing:  # a first run, or a demo account added since the last one
        accounts += missing
        _write_private(accounts_file, accounts)
    if catalog is None:
        catalog, _ = load_catalog(settings.courses_dir)
    enrolments = {
        user: [c for c in courses if c in catalog] for user, courses in DEMO_ENROLMENTS.items()
    }
    _write_private(Path(settings.enrolments_file), enrolments)
    return accounts


def demo_service_config(smtp_port: int) -> str:
    """The service's config in the demo: mail on, sent to the demo's SMTP sink."""
    return "\n".join(
        [
            "# written by `nbcampus demo`: the school's mail goes to the demo's SMTP sink",
            "c.Mailer.enabled = True",
            "c.Mailer.host = '127.0.0.1'",
            f"c.Mailer.port = {int(smtp_port)}",
            "c.Mailer.sender = 'nbcampus demo <school@demo.invalid>'",
            "",
        ]
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_mail_sink(
    state_dir: Path, smtp_port: int, web_port: int
) -> tuple[subprocess.Popen, Path]:
    """Start ``nbcampus mailsink`` (it lives on beside the hub and stops with Ctrl-C, which
    reaches the whole foreground group) and write the service's config pointing at it; the
    sink's process and the config file's path."""
    for port in (smtp_port, web_port):
        if _listening(port):
            raise SystemExit(
                f"port {port} on 127.0.0.1 is taken: set DemoApp.mail_smtp_port and "
                "DemoApp.mail_page_port, or DemoApp.mail_sink = False"
            )
    folder = state_dir / "mail"
    command = [sys.executable, "-m", "nbcampus", "mailsink", f"--folder={folder}"]
    command += [f"--smtp-port={smtp_port}", f"--web-port={web_port}"]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 20
    while not (_listening(smtp_port) and _listening(web_port)):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit(f"the demo's mail sink did not start on ports {smtp_port}, {web_port}")
        time.sleep(0.1)
    config = state_dir / "demo_service_config.py"
    config.write_text(demo_service_config(smtp_port))
    return process, config


class DemoApp(Application):
    """Start the demo school: demo accounts, demo enrolments, the hub on 127.0.0.1."""

    name = "nbcampus-demo"
    description = "Prepare ./var and run the demo school in the foreground (Ctrl-C stops it)."

    mail_sink = Bool(
        True,
        help="Run a local SMTP sink for the school's mail and show what it received on a page "
        "(unless NBCAMPUS_SERVICE_CONFIG names a service config of one's own).",
    ).tag(config=True)
    mail_smtp_port = Integer(8025, help="Port of the demo's SMTP sink (127.0.0.1).").tag(
        config=True
    )
    mail_page_port = Integer(8026, help="Port of the demo's mail page (127.0.0.1).").tag(
        config=True
    )

    def start(self) -> None:
        settings = CampusSettings(parent=self)
        catalog, problems = load_catalog(settings.courses_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        accounts = prepare_demo(settings, catalog)
        mail = ""
        if self.mail_sink and not os.environ.get("NBCAMPUS_SERVICE_CONFIG"):
            _, config_file = start_mail_sink(
                Path(settings.state_dir), self.mail_smtp_port, self.mail_page_port
            )
            os.environ["NBCAMPUS_SERVICE_CONFIG"] = str(config_file)
            mail = (
                f"Mail the school sends (confirmations, notifications, digests): "
                f"http://127.0.0.1:{self.mail_page_port}/ (files in "
                f"{Path(settings.state_dir) / 'mail'})\n"
            )
        url = f"http://{settings.ip}:{settings.port}/"
        print(
            f"\nnbcampus demo school: {url}  ({len(catalog)} courses: {', '.join(sorted(catalog))})"
        )
        print(f"{'role':<11} {'username':<11} password")
        for account in accounts:
            print(f"{account['role']:<11} {account['username']:<11} {account['password']}")
        print(
            mail + "Learners can also sign up at " + url + "hub/signup. Ctrl-C stops the school.\n",
            flush=True,
        )
        config = str(Path(settings.root_dir) / "hub_config" / "jupyterhub_config.py")
        os.chdir(settings.state_dir)
        os.execv(sys.executable, [sys.executable, "-m", "nbcampus.hub", "-f", config])
