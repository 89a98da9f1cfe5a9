"""``nbgrader submit``: send the learner's files; the service timestamps them on receipt."""

from __future__ import annotations

from nbgrader.exchange.abc import ExchangeSubmit

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusSubmit(ExchangeSubmit, CampusExchange):
    """Upload <course_id>/<assignment_id> as a new, immutable attempt."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        self.src = self.local_assignment_dir(self.course, self.assignment)
        if not self.src.is_dir():
            self.fail(f"Assignment not found: {self.src}")

    def init_dest(self) -> None:
        self.path = f"exchange/courses/{self.course}/assignments/{self.assignment}/submissions"

    def copy_files(self) -> None:
        # a local timestamp.txt never counts: the service's receive time does
        body = self.zip_folder(self.src, skip={"timestamp.txt"})
        result = self.call(
            "POST", self.path, data=body, headers={"Content-Type": "application/zip"}
        ).json()
        self.timestamp = self.nbgrader_timestamp(result["received_at"])
        late = result["late"]
        note = (
            ""
            if late["stage"] in ("on-time", "grace")
            else f" (late: {late['credit_percent']:g}% credit)"
        )
        self.log.info(
            "Submitted as: %s %s %s, attempt %d%s",
            self.course,
            self.assignment,
            self.timestamp,
            result["attempt"],
            note,
        )
