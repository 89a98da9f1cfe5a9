"""Turn nbcampus settings into JupyterHub configuration.

A pure function over a traitlets ``Config`` so it can be unit-tested against a bare ``Config()``;
``hub_config/jupyterhub_config.py`` only calls it. It sets values and never reads the hub.
"""

from __future__ import annotations

import sys
from pathlib import Path

from traitlets.config import Config

from .settings import CampusSettings


def configure_hub(c: Config, settings: CampusSettings) -> Config:
    """Apply ``settings`` to the hub config ``c`` and return it."""
    state = Path(settings.state_dir)

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
    c.CampusSpawner.courses_dir = settings.courses_dir
    c.CampusSpawner.enrolments_file = settings.enrolments_file
    c.CampusSpawner.learner_config_dir = settings.singleuser_config_dir
    return c
