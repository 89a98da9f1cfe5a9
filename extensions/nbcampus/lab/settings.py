"""Settings of the nbcampus server extension in a learner's (or instructor's) server."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from traitlets import Float, Integer, Unicode, default
from traitlets.config import LoggingConfigurable


class CampusLab(LoggingConfigurable):
    """Where the nbcampus service is and how to reach it from this server."""

    api_url = Unicode(
        help="The nbcampus service API. From NBCAMPUS_API_URL (set by the nbcampus spawner)."
    ).tag(config=True)

    @default("api_url")
    def _default_api_url(self) -> str:
        return os.environ.get("NBCAMPUS_API_URL", "")

    token = Unicode(
        help="The server's hub token, sent to the service. From JUPYTERHUB_API_TOKEN."
    ).tag(config=True)

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    hub_api_url = Unicode(help="The hub's REST API. From JUPYTERHUB_API_URL.").tag(config=True)

    @default("hub_api_url")
    def _default_hub_api_url(self) -> str:
        return os.environ.get("JUPYTERHUB_API_URL", "http://127.0.0.1:8081/hub/api")

    request_timeout = Float(60, help="Seconds to wait for the service.").tag(config=True)

    exchange_threads = Integer(
        2, help="Threads running nbgrader exchange actions (fetch, submit) for this server."
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.executor = ThreadPoolExecutor(self.exchange_threads, thread_name_prefix="nbcampus")
