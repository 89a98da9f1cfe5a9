"""The learner server spawner: a local process with the learner's course materials."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode

from ..course.loader import load_catalog
from .workspace import provision_workspace, read_enrolments


class CampusSpawner(SimpleLocalProcessSpawner):
    """Start a JupyterLab server for a learner, with their courses' lessons in their home.

    Learners get ``learner_config_dir`` on their Jupyter config path, which turns off nbgrader's
    formgrader and its authoring plugins; course staff keep them.
    """

    courses_dir = Unicode("", help="Folder of the course folders.").tag(config=True)
    enrolments_file = Unicode("", help="JSON: username -> enrolled course ids.").tag(config=True)
    learner_config_dir = Unicode(
        "", help="Jupyter config directory applied to learners' servers."
    ).tag(config=True)

    def _catalog(self):
        if not self.courses_dir:
            return {}
        courses, problems = load_catalog(self.courses_dir)
        for problem in problems:
            self.log.warning("Course not served: %s", problem)
        return courses

    def is_staff(self, catalog) -> bool:
        name = self.user.name
        return self.user.admin or any(name in course.staff for course in catalog.values())

    async def start(self):
        catalog = self._catalog()
        self._staff = self.is_staff(catalog)
        enrolled = (
            read_enrolments(self.enrolments_file).get(self.user.name, [])
            if self.enrolments_file
            else []
        )
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        courses = [catalog[course_id] for course_id in enrolled if course_id in catalog]
        written = provision_workspace(home, courses)
        if written:
            self.log.info("Gave %s %d lesson file(s)", self.user.name, len(written))
        ip, port = await super().start()
        await self._wait_until_listening(ip, port)
        return ip, port

    async def _wait_until_listening(self, ip: str, port: int) -> None:
        """Return once the server accepts connections (or has died, or http_timeout passed).

        JupyterHub then checks the server with exponential back-off (0.2 s, 0.4 s, 0.8 s, ...),
        which adds up to 1.6 s to a 2.5 s start; polling every 50 ms here lets its first
        check succeed. The hub still does its own check and its own timeout handling.
        """
        deadline = time.monotonic() + self.http_timeout
        while time.monotonic() < deadline and self.proc is not None and self.proc.poll() is None:
            try:
                _, writer = await asyncio.open_connection(ip or "127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
            else:
                writer.close()
                return

    def get_env(self):
        env = super().get_env()
        if self.learner_config_dir and not getattr(self, "_staff", False):
            paths = [self.learner_config_dir] + [
                p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p
            ]
            env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
        return env
