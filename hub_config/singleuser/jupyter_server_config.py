# Every nbcampus server (learners and staff): JupyterLab also looks for labextensions inside the
# nbcampus package, so a checkout (editable install, PYTHONPATH) serves its own fresh build of
# the Courses panel; a wheel install also has it under share/jupyter/labextensions.
from nbcampus.lab import LABEXTENSIONS_DIR

c = get_config()  # noqa: F821  (provided by the config loader)
c.LabApp.extra_labextensions_path = [str(LABEXTENSIONS_DIR)]

# LMS pages that show JupyterLab in a frame (LTI launches; the hub sets it from its platforms)
import os  # noqa: E402

if os.environ.get("NBCAMPUS_FRAME_ANCESTORS"):
    c.ServerApp.tornado_settings = {
        "headers": {
            "Content-Security-Policy": "frame-ancestors 'self' "
            + os.environ["NBCAMPUS_FRAME_ANCESTORS"]
        }
    }
