"""nbgrader exchange classes that talk to the nbcampus service over HTTP.

Configure them with nbgrader's ExchangeFactory (see hub_config/singleuser/nbgrader_config.py);
nbgrader's commands and its Assignments panel then release, fetch, submit, list, collect and
return feedback through the service instead of a shared folder.
"""

from nbcampus.nbgrader_exchange.collect import CampusCollect
from nbcampus.nbgrader_exchange.fetch_assignment import CampusFetchAssignment
from nbcampus.nbgrader_exchange.fetch_feedback import CampusFetchFeedback
from nbcampus.nbgrader_exchange.list import CampusList
from nbcampus.nbgrader_exchange.release_assignment import CampusReleaseAssignment
from nbcampus.nbgrader_exchange.release_feedback import CampusReleaseFeedback
from nbcampus.nbgrader_exchange.submit import CampusSubmit

__all__ = [
    "CampusCollect",
    "CampusFetchAssignment",
    "CampusFetchFeedback",
    "CampusList",
    "CampusReleaseAssignment",
    "CampusReleaseFeedback",
    "CampusSubmit",
]
