# JupyterHub configuration of an nbcampus school. Kept thin on purpose: the logic lives in
# nbcampus.hub.configurer, nbcampus.hub.isolation and nbcampus.hub.privacy (unit-tested). Override
# settings with c.CampusSettings.<name> / c.LearnerIsolation.<name> above the calls, or with the
# NBCAMPUS_* environment variables (see README.md and docs/isolation.md).
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.isolation import require_learner_isolation
from nbcampus.hub.privacy import make_state_private
from nbcampus.hub.settings import CampusSettings

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
settings = CampusSettings(config=c)
# the databases, secrets, grading keys, exchange and course sources: the service user's only
make_state_private(settings)
configure_hub(c, settings)
# each learner's server in a jail and a network of its own; no hub for several people without it
require_learner_isolation(c, settings)
