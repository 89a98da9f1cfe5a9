"""``nbgrader release_feedback``: return generated feedback to the learners (graders)."""

from __future__ import annotations

import glob
from pathlib import Path

from nbgrader.exchange.abc import ExchangeReleaseFeedback

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusReleaseFeedback(ExchangeReleaseFeedback, CampusExchange):
    """Send feedback/<student>/<assignment>/*.html to the submission it was made from."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        listing = self.call(
            "GET", f"exchange/courses/{self.course}/assignments/{self.assignment}/submissions"
        ).json()["submissions"]
        # feedback folders carry the timestamp.txt of the submission they grade
        self.by_stamp = {
            (s["username"], self.nbgrader_timestamp(s["received_at"])): s for s in listing
        }

    def init_dest(self) -> None:
        pass

    def copy_files(self) -> None:
        pattern = self.coursedir.format_path(
            self.coursedir.feedback_directory, "*", self.assignment
        )
        for folder in sorted(Path(p) for p in glob.glob(pattern)):
            student = folder.parent.name
            if self.coursedir.student_id not in ("", "*", student):
                continue
            stamp = (
                (folder / "timestamp.txt").read_text().strip()
                if (folder / "timestamp.txt").exists()
                else ""
            )
            submission = self.by_stamp.get((student, stamp))
            if submission is None:
                self.log.warning(
                    "No submission of %s at %r matches %s: not released", student, stamp, folder
                )
                continue
            body = self.zip_folder(folder, skip={"timestamp.txt"})
            self.call(
                "POST",
                f"exchange/submissions/{submission['id']}/feedback",
                data=body,
                headers={"Content-Type": "application/zip"},
            )
            self.log.info("Released feedback for %s (attempt %d)", student, submission["attempt"])
