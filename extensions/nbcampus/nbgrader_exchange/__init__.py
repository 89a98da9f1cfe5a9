"""nbgrader exchange classes that talk to the nbcampus service over HTTP.

Configure them with nbgrader's ExchangeFactory (see hub_config/singleuser/nbgrader_config.py);
nbgrader's commands and its Assignments panel then release, fetch, submit, list, collect and
return feedback through the service instead of a shared folder.
"""

from .collect import CampusCollect
from .fetch_assignment import CampusFetchAssignment
from .fetch_feedback import CampusFetchFeedback
from .list import CampusList
from .release_assignment import CampusReleaseAssignment
from .release_feedback import CampusReleaseFeedback
from .submit import CampusSubmit

__all__ = [
    "CampusCollect",
    "CampusFetchAssignment",
    "CampusFetchFeedback",
    "CampusList",
    "CampusReleaseAssignment",
    "CampusReleaseFeedback",
    "CampusSubmit",
]
