"""Base of the subcommands that talk to the nbcampus service API (as instructors and admins do)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import requests
from traitlets import Float, Unicode, default
from traitlets.config import Application


class APIClientApp(Application):
    """A subcommand calling the service with a hub token."""

    aliases = {"url": "APIClientApp.api_url", "reason": "APIClientApp.reason"}

    api_url = Unicode(
        help="The service API, e.g. http://127.0.0.1:8000/services/nbcampus/api/. From NBCAMPUS_API_URL."
    ).tag(config=True)

    @default("api_url")
    def _default_api_url(self) -> str:
        port = os.environ.get("NBCAMPUS_PORT", "8000")
        return os.environ.get("NBCAMPUS_API_URL", f"http://127.0.0.1:{port}/services/nbcampus/api/")

    token = Unicode(
        help="A hub API token (from the hub's token page). From JUPYTERHUB_API_TOKEN."
    ).tag(config=True)

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("NBCAMPUS_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN", "")

    reason = Unicode("", help="Why: recorded in the audit trail.").tag(config=True)
    timeout = Float(60, help="Seconds to wait for the service.").tag(config=True)

    def call(self, method: str, path: str, *, text: bool = False, **kwargs) -> Any:
        """Call the API; its JSON answer (its text with ``text``). Print the service's message
        and exit 1 on a refusal."""
        if not self.token:
            self.log.error("no token: set JUPYTERHUB_API_TOKEN (make one on the hub's Token page)")
            self.exit(2)
        url = self.api_url.rstrip("/") + "/" + path
        try:
            response = requests.request(
                method,
                url,
                headers={"Authorization": f"token {self.token}"},
                timeout=self.timeout,
                **kwargs,
            )
        except requests.ConnectionError as e:
            print(
                f"error: cannot reach the nbcampus service at {self.api_url}: {e}", file=sys.stderr
            )
            self.exit(1)
        if response.status_code >= 400:
            try:
                message = response.json()["message"]
            except (ValueError, KeyError):
                message = response.text[:500]
            print(f"error: {response.status_code}: {message}", file=sys.stderr)
            self.exit(1)
        return response.text if text else response.json()

    def need_args(self, count: int, usage: str) -> list[str]:
        if len(self.extra_args) != count:
            print(f"usage: {usage}", file=sys.stderr)
            self.exit(2)
        return list(self.extra_args)

    def show(self, data: Any) -> None:
        print(json.dumps(data, indent=2))
