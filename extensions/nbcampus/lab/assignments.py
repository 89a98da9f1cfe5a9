"""Fetch, submit, fetch feedback and release through nbgrader's exchange, inside the server.

The learner's server already has nbgrader configured to use the nbcampus HTTP exchange
(hub_config/singleuser/nbgrader_config.py). Calling nbgrader's exchange classes here, in the
running process, costs milliseconds; ``nbgrader fetch_assignment`` as a subprocess costs ~2 s of
interpreter start and imports. The exchange classes make blocking HTTP calls, so they run in a
worker thread, never on the server's event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbgrader.apps import NbGrader
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from traitlets.config import Config

#: panel actions and the ExchangeFactory attribute of the class doing each
ACTIONS = {
    "fetch": "FetchAssignment",
    "submit": "Submit",
    "fetch_feedback": "FetchFeedback",
    "release": "ReleaseAssignment",
}


class AssignmentActionError(Exception):
    """nbgrader refused the action; the message says why."""


def nbgrader_config(root_dir: str) -> Config:
    """nbgrader's configuration from the Jupyter config path (not the process's cwd)."""
    app = NbGrader()
    app.load_cwd_config = False  # the server's cwd is not the learner's course folder
    app.load_config_file()
    config = app.config
    # the workspace is the server's root: fetched work lands in <root>/<course>/<assignment>
    config.Exchange.assignment_dir = root_dir
    if "root" not in config.CourseDirectory:
        config.CourseDirectory.root = root_dir
    return config


def run_action(action: str, root_dir: str, course_id: str, assignment_id: str) -> dict[str, Any]:
    """Run one exchange action for the server's user; raise AssignmentActionError on refusal."""
    config = nbgrader_config(root_dir)
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.assignment_id = assignment_id
    factory = ExchangeFactory(config=config)
    cls = getattr(factory, ACTIONS[action])
    exchange = cls(
        coursedir=CourseDirectory(config=config),
        authenticator=Authenticator(config=config),
        config=config,
    )
    try:
        exchange.start()
    except ExchangeError as e:
        raise AssignmentActionError(str(e) or f"{action} of {assignment_id} failed") from None
    folder = Path(root_dir) / course_id / assignment_id
    result: dict[str, Any] = {
        "action": action,
        "course_id": course_id,
        "assignment_id": assignment_id,
    }
    if action == "fetch":
        result["notebooks"] = sorted(
            p.relative_to(root_dir).as_posix() for p in folder.glob("*.ipynb")
        )
    elif action == "fetch_feedback":
        result["feedback"] = sorted(
            p.relative_to(root_dir).as_posix() for p in (folder / "feedback").rglob("*.html")
        )
    elif action == "submit":
        result["timestamp"] = getattr(exchange, "timestamp", None)
    return result


def exchange_message(error: Exception) -> str:
    """nbgrader's exchange errors carry the service's message; keep it short for the panel."""
    text = str(error).strip()
    return text.splitlines()[-1] if text else type(error).__name__
