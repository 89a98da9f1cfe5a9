"""What other packages may use of peer_review: everything else is private to it."""

from nbcampus.school.peer_review.calibration import next_example, practise
from nbcampus.school.peer_review.figures import LEARNER_MEASURES, reviews_given_by
from nbcampus.school.peer_review.models import (
    PeerAllocation,
    PeerCalibration,
    PeerReview,
    PeerSubmission,
)
from nbcampus.school.peer_review.passes import record_due
from nbcampus.school.peer_review.queue import override, staff_queue
from nbcampus.school.peer_review.reviews import flag_review, give_review, self_assess
from nbcampus.school.peer_review.rubric import peer_items
from nbcampus.school.peer_review.views import ask_for_work, my_peer_reviews, received

__all__ = [
    "LEARNER_MEASURES",
    "PeerAllocation",
    "PeerCalibration",
    "PeerReview",
    "PeerSubmission",
    "ask_for_work",
    "flag_review",
    "give_review",
    "my_peer_reviews",
    "next_example",
    "override",
    "peer_items",
    "practise",
    "received",
    "record_due",
    "reviews_given_by",
    "self_assess",
    "staff_queue",
]
