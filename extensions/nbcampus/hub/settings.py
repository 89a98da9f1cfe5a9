"""nbcampus settings for the hub: one traitlets Configurable, read from config and environment."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from traitlets import Bool, Dict, Enum, Integer, List, Set, TraitError, Unicode, default, validate
from traitlets.config import Configurable

from nbcampus.school.core.api import default_db_url

#: a training manager's grant: a course id, or course id/cohort name (both as course files spell ids)
_GRANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9-]{0,62})?$")


def _check_grants(value: dict) -> dict[str, list[str]]:
    """Training manager grants, refused with the manager and the grant when one is malformed."""
    if not isinstance(value, dict) or not all(isinstance(g, list) for g in value.values()):
        raise TraitError('training managers must be {"username": ["course", "course/cohort"]}')
    for username, grants in value.items():
        for grant in grants:
            if not isinstance(grant, str) or not _GRANT.match(grant):
                raise TraitError(
                    f"training manager {username!r}: grant {grant!r} is neither a course id "
                    "nor course/cohort (lowercase letters, digits and hyphens)"
                )
    return value


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

    admin_users = Set(
        Unicode(),
        help="Hub admins. From NBCAMPUS_ADMIN_USERS (comma-separated; on Kubernetes from the "
        "nbcampus-admins Secret); else 'admin' on one machine (the demo seeds its account) and "
        "nobody on Kubernetes. Sign-up refuses these names: give each admin a seeded account "
        "(accounts_file) or an SSO login.",
    ).tag(config=True)

    @default("admin_users")
    def _default_admin_users(self) -> set[str]:
        names = os.environ.get("NBCAMPUS_ADMIN_USERS")
        if names is not None:
            return {name.strip() for name in names.split(",") if name.strip()}
        return {"admin"} if self.platform == "local" else set()

    accounts_file = Unicode(
        help="JSON list of accounts to create at start-up ({username, password}). From "
        "NBCAMPUS_ACCOUNTS_FILE (on Kubernetes, the nbcampus-admins Secret mounted in the hub); "
        "else <state>/accounts.json."
    ).tag(config=True)

    @default("accounts_file")
    def _default_accounts_file(self) -> str:
        return os.environ.get("NBCAMPUS_ACCOUNTS_FILE") or str(
            Path(self.state_dir) / "accounts.json"
        )

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
        help="Training managers: username -> the reports they may read, each a whole course "
        "(its id) or one cohort of it (course/cohort). From NBCAMPUS_TRAINING_MANAGERS (JSON, e.g. "
        '{"maria": ["acme-secure-coding"], "li": ["python-data/2027-spring"]}).',
    ).tag(config=True)

    @default("training_managers")
    def _default_training_managers(self) -> dict[str, list[str]]:
        raw = os.environ.get("NBCAMPUS_TRAINING_MANAGERS") or "{}"
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise TraitError(f"NBCAMPUS_TRAINING_MANAGERS is not valid JSON: {e}") from None
        # defaults skip @validate: check them the same way
        return _check_grants(value)

    @validate("training_managers")
    def _check_training_managers(self, proposal) -> dict[str, list[str]]:
        return _check_grants(proposal["value"])

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

    platform = Enum(
        ["local", "kubernetes"],
        help="Where the school runs. 'local': one machine, the hub starts the service and the "
        "proxy and owns its addresses and files. 'kubernetes': the zero-to-jupyterhub chart owns "
        "the hub's addresses, proxy, secrets and storage; learners get pods; the service runs as "
        "its own Deployment at service_url. From NBCAMPUS_PLATFORM, else 'local'.",
    ).tag(config=True)

    @default("platform")
    def _default_platform(self) -> str:
        return os.environ.get("NBCAMPUS_PLATFORM") or "local"

    spawner_class = Unicode(
        help="The hub's spawner for learner servers: the local CampusSpawner, or "
        "CampusKubeSpawner on Kubernetes (the default follows platform)."
    ).tag(config=True)

    @default("spawner_class")
    def _default_spawner_class(self) -> str:
        if self.platform == "kubernetes":
            return "nbcampus.hub.kubespawner.CampusKubeSpawner"
        return "nbcampus.hub.spawner.CampusSpawner"

    service_url = Unicode(
        help="Where the hub, the proxy and learner servers reach the nbcampus service. "
        "From NBCAMPUS_SERVICE_URL; else http://127.0.0.1:<service_port> (local), or "
        "http://nbcampus:10101 on Kubernetes (the Service of hub_config/k8s/nbcampus-service.yaml)."
    ).tag(config=True)

    @default("service_url")
    def _default_service_url(self) -> str:
        if os.environ.get("NBCAMPUS_SERVICE_URL"):
            return os.environ["NBCAMPUS_SERVICE_URL"]
        if self.platform == "kubernetes":
            return "http://nbcampus:10101"
        return f"http://127.0.0.1:{self.service_port}"

    hub_db_url = Unicode(
        help="SQLAlchemy URL of the hub's own database on Kubernetes (PostgreSQL), kept in a "
        "Secret and passed as NBCAMPUS_HUB_DB_URL; empty leaves it to the chart's hub.db. "
        "Ignored on the local platform (SQLite in the state dir)."
    ).tag(config=True)

    @default("hub_db_url")
    def _default_hub_db_url(self) -> str:
        return os.environ.get("NBCAMPUS_HUB_DB_URL", "")

    @property
    def singleuser_config_dir(self) -> str:
        """Jupyter config of every server (nbgrader's exchange is the nbcampus service)."""
        return str(Path(self.root_dir) / "hub_config" / "singleuser")

    @property
    def learner_config_dir(self) -> str:
        """Jupyter config added to learners' servers (formgrader off, authoring plugins off)."""
        return str(Path(self.root_dir) / "hub_config" / "singleuser" / "learner")
