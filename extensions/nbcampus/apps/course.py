"""``nbcampus course``: work on course folders."""

from __future__ import annotations

import sys

from traitlets.config import Application

from nbcampus.course import check_course


class CourseCheckApp(Application):
    """Validate course folders: schema, referenced files, nbgrader markup, quiz keys."""

    name = "nbcampus-course-check"
    description = (
        "Check course folders. Prints each error with its file and line; exit status 1 on errors."
    )
    examples = "nbcampus course check courses/python-data courses/*"

    def start(self) -> None:
        if not self.extra_args:
            self.log.error("give the path of at least one course folder")
            self.exit(2)
        failed = False
        for folder in self.extra_args:
            problems = check_course(folder)
            if problems:
                failed = True
                for problem in problems:
                    print(problem, file=sys.stderr)
                print(f"{folder}: {len(problems)} error(s)", file=sys.stderr)
            else:
                print(f"{folder}: ok")
        self.exit(1 if failed else 0)


class CourseApp(Application):
    """Course folder tools."""

    name = "nbcampus-course"
    description = "Work on course folders."
    subcommands = {"check": (CourseCheckApp, CourseCheckApp.description)}

    def start(self) -> None:
        if self.subapp is None:
            self.print_subcommands()
            self.exit(2)
        super().start()
