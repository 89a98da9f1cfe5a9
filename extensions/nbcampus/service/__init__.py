"""The nbcampus service: the school's single source of truth, run by JupyterHub at /services/nbcampus/."""
