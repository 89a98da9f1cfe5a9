"""``nbcampus demo``: prepare the demo school under ./var and start the hub in the foreground."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

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


class DemoApp(Application):
    """Start the demo school: demo accounts, demo enrolments, the hub on 127.0.0.1."""

    name = "nbcampus-demo"
    description = "Prepare ./var and run the demo school in the foreground (Ctrl-C stops it)."

    def start(self) -> None:
        settings = CampusSettings(parent=self)
        catalog, problems = load_catalog(settings.courses_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        accounts = prepare_demo(settings, catalog)
        url = f"http://{settings.ip}:{settings.port}/"
        print(
            f"\nnbcampus demo school: {url}  ({len(catalog)} courses: {', '.join(sorted(catalog))})"
        )
        print(f"{'role':<11} {'username':<11} password")
        for account in accounts:
            print(f"{account['role']:<11} {account['username']:<11} {account['password']}")
        print(
            "Learners can also sign up at " + url + "hub/signup. Ctrl-C stops the school.\n",
            flush=True,
        )
        config = str(Path(settings.root_dir) / "hub_config" / "jupyterhub_config.py")
        os.chdir(settings.state_dir)
        os.execv(sys.executable, [sys.executable, "-m", "nbcampus.hub", "-f", config])
