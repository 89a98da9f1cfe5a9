"""``nbgrader release_assignment``: upload the release folder to the service (instructors)."""

from __future__ import annotations

from pathlib import Path

from nbgrader.exchange.abc import ExchangeReleaseAssignment

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusReleaseAssignment(ExchangeReleaseAssignment, CampusExchange):
    """Release one stored copy that every enrolled learner fetches."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        self.src = Path(
            self.coursedir.format_path(self.coursedir.release_directory, ".", self.assignment)
        )
        if not self.src.is_dir():
            # the folder relative to the course directory: an absolute path tells nothing useful
            # and names the server's layout
            where = Path(self.coursedir.release_directory) / self.assignment
            self.fail(
                f"{self.assignment} has no release folder {where.as_posix()}/ here: release it "
                "from the Courses panel (the service makes it from the course folder), or run "
                "nbgrader generate_assignment in your course directory first"
            )

    def init_dest(self) -> None:
        self.path = f"exchange/courses/{self.course}/assignments/{self.assignment}/release"

    def copy_files(self) -> None:
        result = self.call(
            "POST",
            self.path,
            data=self.zip_folder(self.src),
            headers={"Content-Type": "application/zip"},
        ).json()
        self.log.info(
            "Released as: %s %s (release %s: %s)",
            self.course,
            self.assignment,
            result["release_id"],
            ", ".join(result["files"]),
        )
