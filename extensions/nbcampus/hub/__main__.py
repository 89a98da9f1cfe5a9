"""``python -m nbcampus.hub``: start JupyterHub with nbcampus's faster start-up."""

from nbcampus.startup import skip_slow_imports

skip_slow_imports()

from jupyterhub.app import main  # noqa: E402  (must come after skip_slow_imports)

main()
