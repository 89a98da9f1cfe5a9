"""The learner side of the quiz API, with the learner server's own hub token."""

from __future__ import annotations

import os
from typing import Any

import requests


class QuizError(RuntimeError):
    """The service refused (no attempts left, quiz closed, not enrolled...) with this message."""


class QuizClient:
    def __init__(self, api_url: str | None = None, token: str | None = None, timeout: float = 30):
        api_url = api_url or os.environ.get("NBCAMPUS_API_URL", "")
        token = token or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        if not api_url or not token:
            raise QuizError(
                "NBCAMPUS_API_URL and JUPYTERHUB_API_TOKEN must be set: open the quiz from your"
                " nbcampus server"
            )
        self.api_url = api_url.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        r = self.session.request(method, self.api_url + path, timeout=self.timeout, **kwargs)
        if r.status_code >= 400:
            try:
                message = r.json()["message"]
            except (ValueError, KeyError):
                message = r.text[:200]
            raise QuizError(message)
        return r.json()

    def questions(self, course: str, quiz: str) -> dict[str, Any]:
        return self._call("GET", f"courses/{course}/quizzes/{quiz}")

    def submit(self, course: str, quiz: str, answers: dict[str, Any]) -> dict[str, Any]:
        return self._call(
            "POST", f"courses/{course}/quizzes/{quiz}/attempts", json={"answers": answers}
        )
