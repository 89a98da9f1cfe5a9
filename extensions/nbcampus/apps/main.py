"""The ``nbcampus`` command."""

from __future__ import annotations

from traitlets.config import Application

from .. import __version__
from .course import CourseApp
from .demo import DemoApp


class NBCampusApp(Application):
    """nbcampus: an online school on one JupyterHub."""

    name = "nbcampus"
    version = __version__
    description = "Run and manage an nbcampus school."
    subcommands = {
        "course": (CourseApp, CourseApp.description),
        "demo": (DemoApp, DemoApp.description),
    }

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        super().start()


main = NBCampusApp.launch_instance
