"""``nbcampus enrol|unenrol|roster|move|verify``: enrolment as an instructor, through the API."""

from __future__ import annotations

from pathlib import Path

from nbcampus.apps.client import APIClientApp


class EnrolApp(APIClientApp):
    """Enrol a learner in a course (the seat cap still applies)."""

    name = "nbcampus-enrol"
    description = "Enrol someone: nbcampus enrol COURSE USERNAME [--reason=...]"

    def start(self) -> None:
        course, username = self.need_args(2, "nbcampus enrol COURSE USERNAME [--reason=...]")
        result = self.call(
            "POST",
            f"courses/{course}/enrolments",
            json={"username": username, "reason": self.reason},
        )
        print(f"{username}: {result['status']} in {course} (cohort {result['cohort']})")


class UnenrolApp(APIClientApp):
    """Unenrol a learner; a waitlisted learner takes the seat."""

    name = "nbcampus-unenrol"
    description = "Unenrol someone: nbcampus unenrol COURSE USERNAME --reason=..."

    def start(self) -> None:
        course, username = self.need_args(2, "nbcampus unenrol COURSE USERNAME --reason=...")
        result = self.call(
            "DELETE", f"courses/{course}/enrolments/{username}", params={"reason": self.reason}
        )
        print(f"{username}: {result['status']} in {course}")


class MoveApp(APIClientApp):
    """Move a learner to another cohort."""

    name = "nbcampus-move"
    description = (
        "Move someone to another cohort: nbcampus move COURSE USERNAME COHORT --reason=..."
    )

    def start(self) -> None:
        course, username, cohort = self.need_args(
            3, "nbcampus move COURSE USERNAME COHORT --reason=..."
        )
        result = self.call(
            "PATCH",
            f"courses/{course}/enrolments/{username}",
            json={"cohort": cohort, "reason": self.reason},
        )
        print(f"{username}: now in cohort {result['cohort']} of {course}")


class VerifyApp(APIClientApp):
    """Put a learner on the verified track (certificate-eligible where the course says so)."""

    name = "nbcampus-verify"
    description = "Mark someone verified: nbcampus verify COURSE USERNAME --reason=..."

    def start(self) -> None:
        course, username = self.need_args(2, "nbcampus verify COURSE USERNAME --reason=...")
        result = self.call(
            "PATCH",
            f"courses/{course}/enrolments/{username}",
            json={"track": "verified", "reason": self.reason},
        )
        print(f"{username}: {result['track']} track in {course}")


class RosterApp(APIClientApp):
    """Invite people to a SPOC from a CSV with a username column."""

    name = "nbcampus-roster"
    description = "Upload a roster: nbcampus roster COURSE FILE.csv [--reason=...]"

    def start(self) -> None:
        course, path = self.need_args(2, "nbcampus roster COURSE FILE.csv [--reason=...]")
        data = Path(path).read_bytes()
        result = self.call(
            "POST",
            f"courses/{course}/roster",
            data=data,
            params={"reason": self.reason or f"roster {path}"},
        )
        print(
            f"added {len(result['added'])} to the roster of {course}: {', '.join(result['added']) or '-'}"
        )


class VouchersApp(APIClientApp):
    """Make upgrade codes for a course's verified track, to sell or give out (printed once)."""

    name = "nbcampus-vouchers"
    description = "Make upgrade codes: nbcampus vouchers COURSE COUNT [--reason=NOTE]"

    def start(self) -> None:
        course, count = self.need_args(2, "nbcampus vouchers COURSE COUNT [--reason=NOTE]")
        if not count.isdigit():
            raise SystemExit(f"COUNT must be a number of codes, not {count!r}")
        result = self.call(
            "POST",
            f"courses/{course}/vouchers",
            json={"count": int(count), "note": (self.reason or "")[:300]},
        )
        print("\n".join(result["codes"]))
