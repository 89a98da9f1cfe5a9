"""A real nbcampus hub for tests and benchmarks: start it, log in, spawn, stop it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from nbcampus.testing.courses import write_course
from nbcampus.testing.kernels import KernelRun, kernel_execute

ROOT = Path(__file__).resolve().parents[3]
HUB_CONFIG = ROOT / "hub_config" / "jupyterhub_config.py"
OUTPUT_DIR = ROOT / "test-output"


PG_URL = os.environ.get("NBCAMPUS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery-9"
#: accounts of ``running_campus``: an admin, the instructor of every test course, a TA and a
#: training manager of open-mooc (and of the self-paced cohort of spoc, and mentor of forum),
#: and three learners
PEOPLE = ["admin", "teacher", "ta", "manager", "ana", "bo", "cy"]


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

    def sign_up(
        self, username: str, password: str, confirmation: str | None = None
    ) -> tuple[requests.Session, requests.Response]:
        """Fill in the hub's sign-up form as a browser does; return the session and the answer
        (not followed: an account created answers 302, and following it would spawn a server)."""
        session = requests.Session()
        session.get(f"{self.url}hub/signup").raise_for_status()
        response = session.post(
            f"{self.url}hub/signup",
            data={
                "username": username,
                "signup_password": password,
                "signup_password_confirmation": password if confirmation is None else confirmation,
                "_xsrf": session.cookies.get("_xsrf"),
            },
            allow_redirects=False,
        )
        self.sessions.append(session)
        return session, response

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

    def xsrf(self, session: requests.Session, username: str) -> str:
        """The XSRF token a user's server expects from ``session`` (its cookie)."""
        return session.cookies.get("_xsrf", path=f"/user/{username}/") or session.cookies.get(
            "_xsrf"
        )

    def run_in_kernel(
        self,
        session: requests.Session,
        username: str,
        code: str,
        timeout: float = 120,
        shutdown: bool = True,
    ) -> KernelRun:
        """Run ``code`` in a new kernel of ``username``'s (running) server, as JupyterLab does:
        the Jupyter REST API starts the kernel, its websocket carries the execute request.
        The kernel is shut down afterwards unless ``shutdown`` is False."""

        base = f"{self.url}user/{username}/api/kernels"
        headers = {"X-XSRFToken": self.xsrf(session, username)}
        r = session.post(base, json={"name": "python3"}, headers=headers, timeout=60)
        r.raise_for_status()
        kernel_id = r.json()["id"]
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        ws_url = base.replace("http://", "ws://", 1) + f"/{kernel_id}/channels"
        try:
            return kernel_execute(ws_url, code, username, timeout, cookie=cookie)
        finally:
            if shutdown:
                session.delete(f"{base}/{kernel_id}", headers=headers, timeout=60)

    def stop_server(self, session: requests.Session, username: str) -> None:
        """Stop the user's server through the hub API and wait until it is gone."""
        url = f"{self.url}hub/api/users/{username}/server"
        headers = {"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}
        r = session.delete(url, headers=headers, timeout=60)
        assert r.status_code in (202, 204), r.text
        deadline = time.monotonic() + 60
        while session.get(f"{self.url}hub/api/users/{username}", headers=headers).json()["servers"]:
            assert time.monotonic() < deadline, f"server of {username} did not stop"
            time.sleep(0.2)


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
    env = {
        **os.environ,
        "NBCAMPUS_STATE_DIR": str(state_dir),
        "NBCAMPUS_PORT": str(port),
        "NBCAMPUS_HUB_PORT": str(free_port()),
        "NBCAMPUS_PROXY_API_PORT": str(free_port()),
        "NBCAMPUS_SERVICE_PORT": str(free_port()),
        **(env_extra or {}),
    }
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
    deadline = time.monotonic() + 240
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
    raise RuntimeError(f"hub not healthy in 240 s:\n{log_path.read_text()[-3000:]}")


def stop_hub(process: subprocess.Popen) -> None:
    """Stop the hub as Ctrl-C would; it stops the proxy and the learner servers it started."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@contextmanager
def running_campus(
    state: Path,
    db_kind: str = "sqlite",
    name: str = "campus",
    service_config: str = "",
    env_extra: dict[str, str] | None = None,
    open_mooc: dict | None = None,
):
    """A hub with the service on the test courses; yields a School with ``tokens`` and
    ``service_port``. The hub (and with it the service) stops on exit.

    ``service_config`` is the text of the service's traitlets config file; by default the service
    queues grading jobs but runs no grader (tests that grade say so). ``env_extra`` goes into
    the hub's environment, ``open_mooc`` into open-mooc's course file (e.g. ``packages``)."""
    courses = state / "courses"
    write_course(courses, "open-mooc", tas=["ta"], **(open_mooc or {}))
    write_course(
        courses,
        "spoc",
        fmt="spoc",
        enrolment={
            "rule": "invite",
            "invite_codes": ["LET-ME-IN"],
            "seat_cap": 25,
            "waitlist": False,
        },
    )
    write_course(courses, "other")
    write_course(
        courses,
        "roster-spoc",
        fmt="spoc",
        enrolment={"rule": "invite", "invite_codes": ["ROSTER-ONLY"], "seat_cap": 5},
    )
    write_course(courses, "closed", due_offset_days=0, hard_close_days=0)
    # module rewards: completing week1 gives its badge
    write_course(courses, "rewards", module_reward={"award": "badge"})
    # discussions: two runs (spring now, autumn later), divided by cohort; manager mentors
    today = date.today()
    runs = [
        {
            "id": "spring",
            "start": str(today - timedelta(days=5)),
            "end": str(today + timedelta(60)),
        },
        {"id": "autumn", "start": str(today + timedelta(90)), "end": str(today + timedelta(150))},
    ]
    write_course(courses, "forum", pacing={"mode": "cohort", "runs": runs}, mentors=["manager"])
    (state / "accounts.json").write_text(
        json.dumps([{"username": u, "password": PASSWORD} for u in PEOPLE])
    )
    service_port = free_port()
    config_file = state / "service_config.py"
    config_file.write_text(service_config or "c.CampusService.run_grader = False\n")
    env = {
        "NBCAMPUS_SERVICE_CONFIG": str(config_file),
        "NBCAMPUS_COURSES_DIR": str(courses),
        "NBCAMPUS_SERVICE_PORT": str(service_port),
        # the manager reads all of open-mooc and one cohort of spoc
        "NBCAMPUS_TRAINING_MANAGERS": json.dumps({"manager": ["open-mooc", "spoc/self-paced"]}),
        **(env_extra or {}),
    }
    schema = None
    if db_kind == "postgresql":
        schema = f"nbc_{uuid.uuid4().hex[:12]}"
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        env["NBCAMPUS_DB_URL"] = f"{PG_URL}?options=-csearch_path%3D{schema}"
    log = OUTPUT_DIR / f"{name}-hub-{db_kind}.log"
    process, url = start_hub(state, log, env_extra=env)
    try:
        school = School(url, state, {u: PASSWORD for u in PEOPLE}, log)
        school.service_port = service_port
        school.db_url = env.get("NBCAMPUS_DB_URL", f"sqlite:///{state / 'nbcampus.sqlite'}")
        deadline = time.monotonic() + 90
        while school.api(None, "GET", "openapi.json").status_code != 200:
            assert time.monotonic() < deadline, f"service not up; see {log}"
            time.sleep(0.2)
        school.tokens = {u: school.token(u) for u in PEOPLE}
        yield school
    finally:
        stop_hub(process)
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
