"""nbcampus settings for the hub: one traitlets Configurable, read from config and environment."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from traitlets import Bool, Dict, Integer, List, Set, Unicode, default
from traitlets.config import Configurable

from ..service.db import default_db_url


def _root() -> Path:
    # the checkout holding hub_config/ and courses/; installed wheels set NBCAMPUS_ROOT
    return Path(os.environ.get("NBCAMPUS_ROOT", Path(__file__).resolve().parents[3]))


class CampusSettings(Configurable):
    """Where nbcampus keeps its state and courses, and how the hub is reached."""

    root_dir = Unicode(
        help="The nbcampus checkout (hub_config/, courses/). From NBCAMPUS_ROOT."
    ).tag(config=True)

    @default("root_dir")
    def _default_root_dir(self) -> str:
        return str(_root())

    state_dir = Unicode(
        help="State: hub and service databases, learner homes, secrets. From NBCAMPUS_STATE_DIR, else <root>/var."
    ).tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.environ.get("NBCAMPUS_STATE_DIR") or str(Path(self.root_dir) / "var")

    courses_dir = Unicode(
        help="The course folders. From NBCAMPUS_COURSES_DIR, else <root>/courses."
    ).tag(config=True)

    @default("courses_dir")
    def _default_courses_dir(self) -> str:
        return os.environ.get("NBCAMPUS_COURSES_DIR") or str(Path(self.root_dir) / "courses")

    ip = Unicode("127.0.0.1", help="Address the public proxy listens on.").tag(config=True)

    port = Integer(help="Public port of the school. From NBCAMPUS_PORT, else 8000.").tag(
        config=True
    )

    @default("port")
    def _default_port(self) -> int:
        return int(os.environ.get("NBCAMPUS_PORT", "8000"))

    hub_port = Integer(
        help="Port of the hub's own API (loopback). From NBCAMPUS_HUB_PORT, else 8081."
    ).tag(config=True)

    @default("hub_port")
    def _default_hub_port(self) -> int:
        return int(os.environ.get("NBCAMPUS_HUB_PORT", "8081"))

    proxy_api_port = Integer(
        help="Port of the proxy's REST API (loopback). From NBCAMPUS_PROXY_API_PORT, else 8001."
    ).tag(config=True)

    @default("proxy_api_port")
    def _default_proxy_api_port(self) -> int:
        return int(os.environ.get("NBCAMPUS_PROXY_API_PORT", "8001"))

    proxy_command = List(
        Unicode(), help="Command of configurable-http-proxy; the checkout's npm copy first."
    ).tag(config=True)

    @default("proxy_command")
    def _default_proxy_command(self) -> list[str]:
        local = Path(self.root_dir) / "node_modules" / ".bin" / "configurable-http-proxy"
        if local.exists():
            return [str(local)]
        return [shutil.which("configurable-http-proxy") or "configurable-http-proxy"]

    admin_users = Set(Unicode(), {"admin"}, help="Hub admins.").tag(config=True)

    accounts_file = Unicode(
        help="JSON list of accounts to create at start-up ({username, password}); <state>/accounts.json."
    ).tag(config=True)

    @default("accounts_file")
    def _default_accounts_file(self) -> str:
        return str(Path(self.state_dir) / "accounts.json")

    enrolments_file = Unicode(
        help="JSON object: username -> course ids the service enrols at start (the demo's learners)."
    ).tag(config=True)

    @default("enrolments_file")
    def _default_enrolments_file(self) -> str:
        return str(Path(self.state_dir) / "enrolments.json")

    allow_root = Bool(
        help="Let learner servers run as root (needed when the hub itself runs as root)."
    ).tag(config=True)

    @default("allow_root")
    def _default_allow_root(self) -> bool:
        return os.geteuid() == 0

    service_port = Integer(
        help="Port of the nbcampus service (loopback). From NBCAMPUS_SERVICE_PORT, else 10101."
    ).tag(config=True)

    @default("service_port")
    def _default_service_port(self) -> int:
        return int(os.environ.get("NBCAMPUS_SERVICE_PORT", "10101"))

    service_start_timeout = Integer(
        300,
        help="Seconds the hub waits for the service to answer at start; the first start makes "
        "every exercise's release and grading key with nbgrader.",
    ).tag(config=True)

    db_url = Unicode(
        help="SQLAlchemy URL of the service database (e.g. postgresql+psycopg://...). From NBCAMPUS_DB_URL, "
        "else SQLite in the state dir."
    ).tag(config=True)

    @default("db_url")
    def _default_db_url(self) -> str:
        return default_db_url(self.state_dir)

    training_managers = Dict(
        value_trait=List(Unicode()),
        help="Training managers: username -> course ids whose reports they may read. "
        'From NBCAMPUS_TRAINING_MANAGERS (JSON, e.g. {"maria": ["acme-secure-coding"]}).',
    ).tag(config=True)

    @default("training_managers")
    def _default_training_managers(self) -> dict[str, list[str]]:
        return json.loads(os.environ.get("NBCAMPUS_TRAINING_MANAGERS") or "{}")

    unsafe_single_user_mode = Bool(
        help="UNSAFE: start the hub even though learners' servers cannot be isolated from each "
        "other (no bubblewrap, or LearnerIsolation.mode = 'none'). Every server can then read "
        "every home, the course sources with solutions, the databases and the secrets. Only for "
        "a hub one trusted person uses. From NBCAMPUS_UNSAFE_SHARED_SERVERS=1."
    ).tag(config=True)

    @default("unsafe_single_user_mode")
    def _default_unsafe_single_user_mode(self) -> bool:
        return os.environ.get("NBCAMPUS_UNSAFE_SHARED_SERVERS", "") in ("1", "true", "yes")

    extra_env = Dict(help="Extra environment variables for learner servers.").tag(config=True)

    @property
    def singleuser_config_dir(self) -> str:
        """Jupyter config of every server (nbgrader's exchange is the nbcampus service)."""
        return str(Path(self.root_dir) / "hub_config" / "singleuser")

    @property
    def learner_config_dir(self) -> str:
        """Jupyter config added to learners' servers (formgrader off, authoring plugins off)."""
        return str(Path(self.root_dir) / "hub_config" / "singleuser" / "learner")
