"""Turn nbcampus settings into JupyterHub configuration.

A pure function over a traitlets ``Config`` so it can be unit-tested against a bare ``Config()``;
``hub_config/jupyterhub_config.py`` only calls it. It sets values and never reads the hub.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config

from nbcampus.course.loader import load_catalog
from nbcampus.course.model import Course
from nbcampus.hub.lti import configure_lti, lti_staff_roles
from nbcampus.hub.reserved import RESERVED_USERNAMES
from nbcampus.hub.settings import CampusSettings
from nbcampus.hub.sso import configure_sso
from nbcampus.school.core.api import ADMIN, LEARN, cohort_scope, course_scope, custom_scopes

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
    # a grant is a whole course or course/cohort; grants of courses or cohorts that do not
    # exist (any more) give nothing
    managers: dict[tuple[str, str], list[str]] = {}
    for username, grants in settings.training_managers.items():
        for grant in grants:
            course_id, _, cohort = grant.partition("/")
            managers.setdefault((course_id, cohort), []).append(username)
    for course in courses.values():
        members = {
            "instructor": (course_scope("teach", course.id), sorted(course.instructors)),
            "ta": (course_scope("grade", course.id), sorted(set(course.data.get("tas", [])))),
            "mentor": (course_scope("moderate", course.id), sorted(course.mentors)),
            "community": (course_scope("community", course.id), sorted(course.community_managers)),
            "manager": (
                course_scope("report", course.id),
                sorted(managers.get((course.id, ""), [])),
            ),
        }
        for cohort in course.cohort_names():
            # "." is in no course or cohort id: role names cannot collide
            members[f"manager-{course.id}.{cohort}"] = (
                cohort_scope(course.id, cohort),
                sorted(managers.get((course.id, cohort), [])),
            )
        for kind, (scope, users) in members.items():
            if users:
                name = kind if kind.startswith("manager-") else f"{kind}-{course.id}"
                roles.append({"name": f"nbcampus-{name}", "scopes": [scope], "users": users})
    return roles + lti_staff_roles(courses)


def token_scopes(courses: dict[str, Course]) -> list[str]:
    """Scopes a learner server's token and the service's OAuth tokens may carry (the hub keeps
    only those the user holds)."""
    return [
        "read:users:groups!user",
        ACCESS_SERVICE,
        *sorted(campus_scopes(courses)),
    ]


def campus_scopes(courses: dict[str, Course]) -> dict[str, dict[str, object]]:
    """The custom scopes of these courses, with a report scope per cohort."""
    return custom_scopes(courses, {c.id: c.cohort_names() for c in courses.values()})


def configure_hub(
    c: Config, settings: CampusSettings, courses: dict[str, Course] | None = None
) -> Config:
    """Apply ``settings`` to the hub config ``c`` and return it.

    ``courses`` (by default the valid folders of ``settings.courses_dir``) give the per-course
    scopes and the staff roles. On Kubernetes (``settings.platform``) the chart's own settings
    (addresses, proxy, secrets, the idle culler's service and role, the service's API token) are
    kept: services and roles other than nbcampus's are left as they are, and the nbcampus service
    entry is updated, not replaced.
    """
    if courses is None:
        courses, _ = load_catalog(settings.courses_dir)
    if settings.platform == "kubernetes":
        _kubernetes_hub(c, settings)
    else:
        _local_hub(c, settings)
    c.JupyterHub.template_vars = {"school_name": "nbcampus"}

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

    c.JupyterHub.spawner_class = settings.spawner_class
    c.Spawner.default_url = "/lab"
    c.Spawner.http_timeout = 60
    # a class arriving together waits for CPU: with 100 learners at 2 logins/s on 2 cores the
    # last servers were ready after ~150 s (benchmarks/cohort.py); at 120 s they were given up
    # and their learners had to start again, adding to the queue
    c.Spawner.start_timeout = 300
    c.Spawner.environment = dict(settings.extra_env)
    c.Spawner.server_token_scopes = [
        "users:activity!user",
        "access:servers!server",
        *token_scopes(courses),
    ]
    configure_lti(c)  # LMS frames may show the hub and JupyterLab (docs/lti.md)
    spawner = c[settings.spawner_class.rsplit(".", 1)[-1]]
    # the service API as learners' servers reach it (nbgrader's exchange, lessons, quizzes)
    spawner.service_api_url = f"{settings.service_url}/services/{SERVICE}/api/"
    spawner.common_config_dir = settings.singleuser_config_dir
    spawner.learner_config_dir = settings.learner_config_dir

    # The nbcampus service: the school's source of truth.
    c.JupyterHub.custom_scopes = campus_scopes(courses)
    ours = campus_roles(courses, settings)
    names = {role["name"] for role in ours}
    c.JupyterHub.load_roles = [r for r in _configured(c, "load_roles") if r["name"] not in names]
    c.JupyterHub.load_roles += ours
    configure_sso(c, courses)  # single sign-on's staff groups get their course's scopes
    service = {
        "name": SERVICE,
        "url": settings.service_url,
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": token_scopes(courses),
    }
    if settings.platform == "local":
        # started and stopped by the hub; on Kubernetes it is a Deployment of its own
        service["command"] = [sys.executable, "-m", "nbcampus.service"]
        service["environment"] = {
            "NBCAMPUS_STATE_DIR": settings.state_dir,
            "NBCAMPUS_COURSES_DIR": settings.courses_dir,
            "NBCAMPUS_DB_URL": settings.db_url,
            "NBCAMPUS_SEED_ENROLMENTS": settings.enrolments_file,
            # where certificates' QR codes and badge links point (the public address)
            "NBCAMPUS_PUBLIC_URL": os.environ.get("NBCAMPUS_PUBLIC_URL")
            or f"http://{settings.ip if settings.ip not in ('', '0.0.0.0') else '127.0.0.1'}:{settings.port}/",
            "NBCAMPUS_ISSUER_NAME": os.environ.get("NBCAMPUS_ISSUER_NAME", "nbcampus"),
            # the service's own traitlets config (grading backend, sandbox limits), if any
            "NBCAMPUS_SERVICE_CONFIG": os.environ.get("NBCAMPUS_SERVICE_CONFIG", ""),
            # exercises made before from the same source are not made again (CampusService)
            "NBCAMPUS_RELEASE_CACHE": os.environ.get("NBCAMPUS_RELEASE_CACHE", ""),
            # the LMS platforms trusted for LTI 1.3 launches (docs/lti.md), if any
            "NBCAMPUS_LTI_PLATFORMS": os.environ.get("NBCAMPUS_LTI_PLATFORMS", ""),
        }
        # the first start generates every exercise's release with nbgrader
        service["timeout"] = settings.service_start_timeout
    services = _configured(c, "services")
    # z2jh's entry for hub.services.nbcampus carries the API token from the chart's Secret
    entry = next((dict(s) for s in services if s.get("name") == SERVICE), {})
    entry.update(service)
    c.JupyterHub.services = [s for s in services if s.get("name") != SERVICE] + [entry]
    # nobody signs up as an admin or a service (admins' accounts are seeded, or come from SSO)
    c.CampusAuthenticator.reserved_usernames = {
        *RESERVED_USERNAMES,
        *settings.admin_users,
        *(s["name"] for s in c.JupyterHub.services),
    }
    return c


def _configured(c: Config, name: str) -> list[dict]:
    """A list the config already holds for JupyterHub (set by the chart), or an empty one."""
    value = c.JupyterHub.get(name) if "JupyterHub" in c else None
    return list(value) if isinstance(value, list) else []


def _local_hub(c: Config, settings: CampusSettings) -> None:
    """One machine: the hub owns its addresses, the proxy, its SQLite database and its files."""
    state = Path(settings.state_dir)
    c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True

    c.ConfigurableHTTPProxy.command = list(settings.proxy_command)
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

    c.Spawner.cmd = [sys.executable, "-m", "nbcampus.singleuser"]
    c.Spawner.ip = "127.0.0.1"
    c.Spawner.args = ["--allow-root"] if settings.allow_root else []
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "homes" / "{username}")


def _kubernetes_hub(c: Config, settings: CampusSettings) -> None:
    """zero-to-jupyterhub: addresses, proxy, cookie secret, learner image, command, limits and
    storage come from the chart's values. Only the hub's PostgreSQL URL is ours to set (from a
    Secret, through the environment)."""
    if settings.hub_db_url:
        c.JupyterHub.db_url = settings.hub_db_url
