"""What other packages may use of enrolment: everything else is private to it."""

from nbcampus.school.enrolment.enrolments import (
    Learner,
    add_to_roster,
    enrol,
    find_enrolment,
    move,
    seats_taken,
    set_track,
    unenrol,
)
from nbcampus.school.enrolment.models import (
    ENROLLED,
    UNENROLLED,
    VERIFIED_TRACK,
    Enrolment,
    RosterEntry,
)

__all__ = [
    "ENROLLED",
    "Enrolment",
    "Learner",
    "RosterEntry",
    "UNENROLLED",
    "VERIFIED_TRACK",
    "add_to_roster",
    "enrol",
    "find_enrolment",
    "move",
    "seats_taken",
    "set_track",
    "unenrol",
]
