# JupyterHub configuration of an nbcampus school. Kept thin on purpose: the logic lives in
# nbcampus.hub.configurer (unit-tested). Override settings with c.CampusSettings.<name> above the
# call, or with the NBCAMPUS_* environment variables (see README.md).
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.settings import CampusSettings

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
configure_hub(c, CampusSettings(config=c))
