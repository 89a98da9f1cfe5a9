"""Turn nbcampus settings into JupyterHub configuration.

A pure function over a traitlets ``Config`` so it can be unit-tested against a bare ``Config()``;
``hub_config/jupyterhub_config.py`` only calls it. It sets values and never reads the hub.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config

from ..course.loader import load_catalog
from ..course.model import Course
from ..service.scopes import ADMIN, LEARN, course_scope, custom_scopes
from .settings import CampusSettings

SERVICE = "nbcampus"
ACCESS_SERVICE = f"access:services!service={SERVICE}"


def campus_roles(courses: dict[str, Course], settings: CampusSettings) -> list[dict]:
    """Least-privilege roles: every user learns; staff get their own courses' scopes only."""
    roles = [
        {"name": "user", "scopes": ["self", ACCESS_SERVICE, LEARN]},
        {
            "name": "nbcampus-admin",
            "scopes": [ADMIN, ACCESS_SERVICE],
            "users": sorted(settings.admin_users),
        },
        # the service reads who a caller is and their groups (COOC rule), nothing more
        {
            "name": "nbcampus-service",
            "scopes": ["read:users:name", "read:users:groups"],
            "services": [SERVICE],
        },
    ]
    managers: dict[str, list[str]] = {}
    for username, course_ids in settings.training_managers.items():
        for course_id in course_ids:
            managers.setdefault(course_id, []).append(username)
    for course in courses.values():
        members = {
            "instructor": (course_scope("teach", course.id), sorted(course.instructors)),
            "ta": (course_scope("grade", course.id), sorted(set(course.data.get("tas", [])))),
            "manager": (course_scope("report", course.id), sorted(managers.get(course.id, []))),
        }
        for kind, (scope, users) in members.items():
            if users:
                roles.append(
                    {"name": f"nbcampus-{kind}-{course.id}", "scopes": [scope], "users": users}
                )
    return roles


def token_scopes(courses: dict[str, Course]) -> list[str]:
    """Scopes a learner server's token and the service's OAuth tokens may carry (the hub keeps
    only those the user holds)."""
    return [
        "read:users:groups!user",
        ACCESS_SERVICE,
        *sorted(custom_scopes(courses)),
    ]


def configure_hub(
    c: Config, settings: CampusSettings, courses: dict[str, Course] | None = None
) -> Config:
    """Apply ``settings`` to the hub config ``c`` and return it.

    ``courses`` (by default the valid folders of ``settings.courses_dir``) give the per-course
    scopes and the staff roles.
    """
    state = Path(settings.state_dir)
    if courses is None:
        courses, _ = load_catalog(settings.courses_dir)

    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.template_vars = {"school_name": "nbcampus"}

    c.ConfigurableHTTPProxy.command = list(settings.proxy_command)
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

    # Accounts: learners sign up themselves for open courses; staff and demo accounts are seeded.
    c.JupyterHub.authenticator_class = "nbcampus.hub.authenticator.CampusAuthenticator"
    c.Authenticator.admin_users = set(settings.admin_users)
    c.Authenticator.allow_all = True  # who may log in is decided by the signup records
    c.NativeAuthenticator.open_signup = True
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 10
    c.NativeAuthenticator.seconds_before_next_try = 60
    c.CampusAuthenticator.accounts_file = settings.accounts_file

    c.JupyterHub.spawner_class = "nbcampus.hub.spawner.CampusSpawner"
    c.Spawner.default_url = "/lab"
    c.Spawner.cmd = [sys.executable, "-m", "nbcampus.singleuser"]
    c.Spawner.ip = "127.0.0.1"
    c.Spawner.args = ["--allow-root"] if settings.allow_root else []
    c.Spawner.http_timeout = 60
    c.Spawner.start_timeout = 120
    c.Spawner.environment = dict(settings.extra_env)
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "homes" / "{username}")
    c.CampusSpawner.service_api_url = (
        f"http://127.0.0.1:{settings.service_port}/services/{SERVICE}/api/"
    )
    c.CampusSpawner.common_config_dir = settings.singleuser_config_dir
    c.CampusSpawner.learner_config_dir = settings.learner_config_dir
    c.Spawner.server_token_scopes = [
        "users:activity!user",
        "access:servers!server",
        *token_scopes(courses),
    ]

    # The nbcampus service: the school's source of truth, started and stopped by the hub.
    c.JupyterHub.custom_scopes = custom_scopes(courses)
    c.JupyterHub.load_roles = campus_roles(courses, settings)
    c.JupyterHub.services = [
        {
            "name": SERVICE,
            "url": f"http://127.0.0.1:{settings.service_port}",
            "command": [sys.executable, "-m", "nbcampus.service"],
            "environment": {
                "NBCAMPUS_STATE_DIR": str(state),
                "NBCAMPUS_COURSES_DIR": settings.courses_dir,
                "NBCAMPUS_DB_URL": settings.db_url,
                "NBCAMPUS_SEED_ENROLMENTS": settings.enrolments_file,
                # where certificates' QR codes and badge links point (the public address)
                "NBCAMPUS_PUBLIC_URL": os.environ.get("NBCAMPUS_PUBLIC_URL")
                or f"http://{settings.ip if settings.ip not in ('', '0.0.0.0') else '127.0.0.1'}:{settings.port}/",
                "NBCAMPUS_ISSUER_NAME": os.environ.get("NBCAMPUS_ISSUER_NAME", "nbcampus"),
                # the service's own traitlets config (grading backend, sandbox limits), if any
                "NBCAMPUS_SERVICE_CONFIG": os.environ.get("NBCAMPUS_SERVICE_CONFIG", ""),
            },
            "oauth_no_confirm": True,
            # the first start generates every exercise's release with nbgrader
            "timeout": settings.service_start_timeout,
            "oauth_client_allowed_scopes": token_scopes(courses),
        }
    ]
    return c
