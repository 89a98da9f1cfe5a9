"""``nbgrader fetch_assignment``: download a released assignment from the service."""

from __future__ import annotations

from nbgrader.exchange.abc import ExchangeFetchAssignment

from nbcampus.nbgrader_exchange.client import CampusExchange
from nbcampus.workspace import unpack_new_files


class CampusFetchAssignment(ExchangeFetchAssignment, CampusExchange):
    """Fetch the current release into <course_id>/<assignment_id>; never overwrite work."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        if not self.assignment:
            self.fail("which assignment? give its id")

    def init_dest(self) -> None:
        self.dest = self.local_assignment_dir(self.course, self.assignment)
        if self.dest.exists() and not self.replace_missing_files:
            self.fail(
                f"You already have a copy of the assignment in {self.dest}: move it away to fetch it again"
            )

    def copy_files(self) -> None:
        data = self.call(
            "GET", f"exchange/courses/{self.course}/assignments/{self.assignment}/release"
        ).content
        if self.dest.exists():  # replace_missing_files: only add what is missing
            added = unpack_new_files(data, self.dest)
            self.log.info("Restored %d missing file(s) in %s", len(added), self.dest)
            return
        self.unzip_into(data, self.dest)
        self.log.info("Fetched as: %s %s", self.course, self.assignment)
