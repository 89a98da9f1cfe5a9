# JupyterHub configuration of an nbcampus school. Kept thin on purpose: the logic lives in
# nbcampus.hub.configurer and nbcampus.hub.isolation (unit-tested). Override settings with
# c.CampusSettings.<name> / c.LearnerIsolation.<name> above the calls, or with the NBCAMPUS_*
# environment variables (see README.md and docs/isolation.md).
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.isolation import require_learner_isolation
from nbcampus.hub.settings import CampusSettings

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
settings = CampusSettings(config=c)
configure_hub(c, settings)
# each learner's server in a jail of its own; no hub for several people without it
require_learner_isolation(c, settings)
