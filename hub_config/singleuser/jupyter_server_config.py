# Every nbcampus server (learners and staff): JupyterLab also looks for labextensions inside the
# nbcampus package, so a checkout (editable install, PYTHONPATH) serves its own fresh build of
# the Courses panel; a wheel install also has it under share/jupyter/labextensions.
from nbcampus.lab import LABEXTENSIONS_DIR

c = get_config()  # noqa: F821  (provided by the config loader)
c.LabApp.extra_labextensions_path = [str(LABEXTENSIONS_DIR)]

# LMS pages that show JupyterLab in a frame (LTI launches; the hub sets both from its platforms
# and its public address, docs/lti.md)
import json  # noqa: E402
import os  # noqa: E402

_tornado = {}
if os.environ.get("NBCAMPUS_FRAME_ANCESTORS"):
    _ancestors = os.environ["NBCAMPUS_FRAME_ANCESTORS"]
    _tornado["headers"] = {"Content-Security-Policy": f"frame-ancestors 'self' {_ancestors}"}
# over HTTPS the hub's cookies cross sites (SameSite=None; Secure); so must this server's _xsrf
if json.loads(os.environ.get("JUPYTERHUB_COOKIE_OPTIONS") or "{}").get("samesite") == "None":
    _tornado["xsrf_cookie_kwargs"] = {
        "path": os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
        "samesite": "None",
        "secure": True,
    }
if _tornado:
    c.ServerApp.tornado_settings = _tornado
