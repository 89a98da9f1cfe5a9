"""nbcampus: an online school on one JupyterHub."""

__version__ = "0.1.0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """The prebuilt Courses panel (``jupyter labextension develop`` links it from here)."""
    return [{"src": "labextensions/@nbcampus/labextension", "dest": "@nbcampus/labextension"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """``nbcampus`` as a server extension is the Courses panel's server side."""
    return [{"module": "nbcampus.lab"}]
