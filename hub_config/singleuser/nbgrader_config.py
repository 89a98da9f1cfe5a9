# nbgrader in every nbcampus server (learners and staff): the exchange is the nbcampus service,
# reached over HTTP with the server's own hub token, instead of a shared folder.
c = get_config()  # noqa: F821  (provided by the config loader)

for name, cls in {
    "fetch_assignment": "CampusFetchAssignment",
    "fetch_feedback": "CampusFetchFeedback",
    "release_assignment": "CampusReleaseAssignment",
    "release_feedback": "CampusReleaseFeedback",
    "list": "CampusList",
    "submit": "CampusSubmit",
    "collect": "CampusCollect",
}.items():
    setattr(c.ExchangeFactory, name, f"nbcampus.nbgrader_exchange.{cls}")

# fetched work lands next to the lessons: <course id>/<assignment id>
c.Exchange.path_includes_course = True
