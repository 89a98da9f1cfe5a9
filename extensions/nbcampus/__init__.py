"""nbcampus: an online school on one JupyterHub."""

__version__ = "0.1.0"
