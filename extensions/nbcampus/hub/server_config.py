"""Which Jupyter config a learner's or a staff member's server reads: one rule for every spawner."""

from __future__ import annotations

import os


def with_server_config(env: dict[str, str], common_dir: str, learner_dir: str, staff: bool) -> None:
    """Put the servers' config directories first on ``env``'s JUPYTER_CONFIG_PATH.

    Every server reads ``common_dir``; learners' servers read ``learner_dir`` before it (earlier
    entries win: no formgrader, the learner's page config); staff servers do not. Directories
    already on the path stay after them."""
    dirs = [common_dir] if staff else [learner_dir, common_dir]
    paths = [d for d in dirs if d] + [
        p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p
    ]
    if paths:
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
