"""``nbgrader fetch_feedback``: download released feedback for my submissions."""

from __future__ import annotations

from nbgrader.exchange.abc import ExchangeFetchFeedback

from nbcampus.nbgrader_exchange.client import CampusExchange


class CampusFetchFeedback(ExchangeFetchFeedback, CampusExchange):
    """Write <assignment>/feedback/<timestamp>/ for each submission that has feedback."""

    def init_src(self) -> None:
        self.course = self.course_id()
        self.assignment = self.coursedir.assignment_id
        listing = self.call("GET", "exchange/assignments", params={"course": self.course}).json()[
            "assignments"
        ]
        mine = [a for a in listing if a["assignment_id"] == self.assignment]
        if not mine:
            self.fail(f"{self.assignment} is not an assignment of {self.course} you can see")
        self.assignment_info = mine[0]

    def init_dest(self) -> None:
        self.dest = self.local_assignment_dir(self.course, self.assignment) / "feedback"

    def copy_files(self) -> None:
        stamps = {
            s["id"]: self.nbgrader_timestamp(s["received_at"])
            for s in self.assignment_info["submissions"]
        }
        fetched = 0
        for feedback in self.assignment_info["feedback"]:
            data = self.call(
                "GET", f"exchange/submissions/{feedback['submission_id']}/feedback"
            ).content
            self.unzip_into(data, self.dest / stamps[feedback["submission_id"]], replace=True)
            fetched += 1
        if not fetched:
            self.log.warning("No feedback available yet for %s", self.assignment)
        else:
            self.log.info("Fetched feedback for %d submission(s) of %s", fetched, self.assignment)
