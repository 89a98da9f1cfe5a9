"""What other packages may use of enrolment: everything else is private to it."""

from nbcampus.school.enrolment.enrolments import (
    Learner,
    add_to_roster,
    enrol,
    find_enrolment,
    has_verified_track,
    move,
    set_track,
    unenrol,
)
from nbcampus.school.enrolment.models import (
    ENROLLED,
    UNENROLLED,
    VERIFIED_TRACK,
    Enrolment,
    RosterEntry,
    Upgrade,
    Voucher,
)
from nbcampus.school.enrolment.roll import (
    course_enrolments,
    enrolments_of,
    is_enrolled,
    seats_taken,
    seats_taken_by_course,
    statuses_of,
)
from nbcampus.school.enrolment.upgrades import (
    awaiting,
    decide,
    make_vouchers,
    my_upgrade,
    redeem,
    upgrade_view,
)

__all__ = [
    "course_enrolments",
    "enrolments_of",
    "is_enrolled",
    "seats_taken_by_course",
    "statuses_of",
    "ENROLLED",
    "Enrolment",
    "Learner",
    "RosterEntry",
    "UNENROLLED",
    "VERIFIED_TRACK",
    "add_to_roster",
    "enrol",
    "find_enrolment",
    "has_verified_track",
    "move",
    "seats_taken",
    "set_track",
    "unenrol",
    "Upgrade",
    "Voucher",
    "awaiting",
    "decide",
    "make_vouchers",
    "my_upgrade",
    "redeem",
    "upgrade_view",
]
