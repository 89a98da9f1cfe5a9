"""Run a real nbcampus hub for tests and benchmarks: start it, log in, spawn, stop it.

Used by tests/conftest.py and benchmarks/; like jupyterhub's own ``mocking`` module, but with the
real hub, proxy and learner servers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
HUB_CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"
OUTPUT_DIR = ROOT / "test-output"


class LoginFailed(AssertionError):
    """The hub refused a login."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class School:
    """A running hub: its URL, state folder and the demo accounts' passwords."""

    url: str
    state_dir: Path
    passwords: dict[str, str]
    log_path: Path
    sessions: list = field(default_factory=list)

    def login(self, username: str, password: str | None = None) -> requests.Session:
        """Log in through the hub's login form; return the browser-like session."""
        session = requests.Session()
        session.get(f"{self.url}hub/login").raise_for_status()
        response = session.post(
            f"{self.url}hub/login",
            data={
                "username": username,
                "password": password or self.passwords[username],
                "_xsrf": session.cookies.get("_xsrf"),
            },
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise LoginFailed(f"login of {username} failed: {response.status_code}")
        self.sessions.append(session)
        return session

    def token(self, username: str, scopes: list[str] | None = None) -> str:
        """A hub API token of ``username`` (all their scopes unless ``scopes`` narrows them)."""
        session = self.login(username)
        body = {"note": "nbcampus tests"} | ({"scopes": scopes} if scopes is not None else {})
        r = session.post(
            f"{self.url}hub/api/users/{username}/tokens",
            json=body,
            headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
        )
        r.raise_for_status()
        return r.json()["token"]

    def user_token(self, username: str, admin_token: str) -> str:
        """Create ``username`` on the hub if needed and return a token for them (admin powers)."""
        headers = {"Authorization": f"token {admin_token}"}
        requests.post(f"{self.url}hub/api/users/{username}", headers=headers, timeout=30)
        r = requests.post(
            f"{self.url}hub/api/users/{username}/tokens", json={}, headers=headers, timeout=30
        )
        r.raise_for_status()
        return r.json()["token"]

    def api(self, token: str | None, method: str, path: str, **kwargs) -> requests.Response:
        """Call the nbcampus service API (``path`` relative to /services/nbcampus/api/)."""
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {token}"
        return requests.request(
            method, f"{self.url}services/nbcampus/api/{path}", headers=headers, timeout=60, **kwargs
        )

    def start_server(self, session: requests.Session, username: str, timeout: float = 90) -> None:
        """Spawn the user's server (as the home page's start button does) and wait for JupyterLab."""
        session.get(f"{self.url}hub/spawn/{username}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = session.get(f"{self.url}user/{username}/lab")
            if r.status_code == 200 and r.url.endswith(f"/user/{username}/lab"):
                return
            time.sleep(0.25)
        raise TimeoutError(f"server of {username} not ready in {timeout}s; see {self.log_path}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_hub(
    state_dir: Path,
    log_path: Path,
    env_extra: dict[str, str] | None = None,
    command: list[str] | None = None,
):
    """Start a hub (by default the way `make demo` does) on free ports; return (process, url).

    ``command`` replaces the nbcampus hub command, e.g. to run a stock JupyterHub whose config
    reads the ports from the same NBCAMPUS_* variables.
    """
    port = free_port()
    env = dict(
        os.environ,
        NBCAMPUS_STATE_DIR=str(state_dir),
        NBCAMPUS_PORT=str(port),
        NBCAMPUS_HUB_PORT=str(free_port()),
        NBCAMPUS_PROXY_API_PORT=str(free_port()),
        **(env_extra or {}),
    )
    env.pop("JUPYTERHUB_API_TOKEN", None)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        command or [sys.executable, "-m", "nbcampus.hub", "-f", str(HUB_CONFIG)],
        cwd=state_dir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"hub exited with {process.returncode}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            if requests.get(f"{url}hub/health", timeout=2).status_code == 200:
                return process, url
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    stop_hub(process)
    raise RuntimeError(f"hub not healthy in 60 s:\n{log_path.read_text()[-3000:]}")


def stop_hub(process: subprocess.Popen) -> None:
    """Stop the hub as Ctrl-C would; it stops the proxy and the learner servers it started."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
