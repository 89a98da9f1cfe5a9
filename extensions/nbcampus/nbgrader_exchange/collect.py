"""``nbgrader collect``: download each learner's latest submission (graders)."""

from __future__ import annotations

from pathlib import Path

from nbgrader.exchange.abc import ExchangeCollect

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusCollect(ExchangeCollect, CampusExchange):
    """Write submitted/<student>/<assignment>/ with the server's timestamp.txt."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        listing = self.call(
            "GET",
            f"exchange/courses/{self.course}/assignments/{self.assignment}/submissions",
            params={"latest": 1},
        ).json()
        self.submissions = listing["submissions"]
        if not self.submissions:
            self.log.warning("No submissions of %s in %s", self.assignment, self.course)

    def init_dest(self) -> None:
        pass

    def copy_files(self) -> None:
        for submission in self.submissions:
            student = submission["username"]
            if self.coursedir.student_id not in ("", "*", student):
                continue
            dest = Path(
                self.coursedir.format_path(
                    self.coursedir.submitted_directory, student, self.assignment
                )
            )
            stamp_file = dest / "timestamp.txt"
            if dest.exists():
                have = stamp_file.read_text().strip() if stamp_file.exists() else ""
                if not self.update or have == self.nbgrader_timestamp(submission["received_at"]):
                    self.log.info("Skipping %s: already collected", student)
                    continue
            data = self.call("GET", f"exchange/submissions/{submission['id']}").content
            self.unzip_into(data, dest, replace=True)
            self.log.info(
                "Collected submission from %s (attempt %d)", student, submission["attempt"]
            )
