"""``GET /nbcampus/open/<course>/<exercise>``: where an LMS link to an exercise lands. The
exercise is fetched into the workspace (once: a learner's work is never replaced), then
JupyterLab opens its notebook."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from urllib.parse import quote

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from tornado.escape import xhtml_escape

from nbcampus.lab.assignments import AssignmentActionError, exchange_message, run_action


class OpenExerciseHandler(JupyterHandler):
    """Fetch the exercise if it is not in the workspace yet, then open it in JupyterLab."""

    @web.authenticated
    async def get(self, course_id: str, assignment_id: str) -> None:
        root = self.settings["server_root_dir"]
        folder = Path(root) / course_id / assignment_id
        if not any(folder.glob("*.ipynb")):
            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, partial(run_action, "fetch", root, course_id, assignment_id)
                )
            except AssignmentActionError as e:
                self.set_status(409)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(
                    f"<!doctype html><h1>{xhtml_escape(assignment_id)}</h1>"
                    f"<p>{xhtml_escape(exchange_message(e))}</p>"
                )
                return
        notebooks = sorted(folder.glob("*.ipynb"))
        path = f"{course_id}/{assignment_id}" + (f"/{notebooks[0].name}" if notebooks else "")
        self.redirect(f"{self.base_url}lab/tree/{quote(path)}")
