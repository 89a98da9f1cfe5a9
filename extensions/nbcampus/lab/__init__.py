"""The nbcampus server extension of learners' servers: the server side of the Courses panel.

Enabled in hub_config/singleuser/jupyter_server_config.json (``nbcampus.lab``). It forwards the
panel's calls to the nbcampus service with the server's hub token (the browser never holds
one) and runs nbgrader's exchange (fetch, submit, feedback, release) inside the server.
Its handlers load with the extension, not with this package (which the hub config imports for
LABEXTENSIONS_DIR), as the JupyterLab extension template does.
"""

from __future__ import annotations

from pathlib import Path

#: the prebuilt JupyterLab extension (built from extensions/labextension by `make install`)
LABEXTENSIONS_DIR = Path(__file__).resolve().parent.parent / "labextensions"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "nbcampus.lab"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from nbcampus.lab.handlers import handlers
    from nbcampus.lab.settings import CampusLab

    lab = CampusLab(config=serverapp.config, parent=serverapp)
    web_app = serverapp.web_app
    web_app.settings["nbcampus_lab"] = lab
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"]))
    serverapp.log.info("nbcampus: Courses panel API at %snbcampus/", web_app.settings["base_url"])
