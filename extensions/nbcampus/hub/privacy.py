"""The school's state is the service user's alone: no group or world access to any of it.

The state folder (hub and service databases, cookie secrets, accounts, grading keys, exchange
storage: releases, submissions, feedback) and the course sources (solutions, hidden tests) are
made readable and writable by their owner only when the hub starts, and the hub runs with umask
077, which its children (the proxy, the service, learners' servers) inherit: what any of them
creates later is private from birth. Learners' homes are left to their learners (the spawner
gives each to its uid, mode 0700).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nbcampus.hub.settings import CampusSettings


def _private(path: Path, keep: frozenset[Path] = frozenset()) -> int:
    """Take group and world bits off ``path`` and everything under it (never following links,
    never entering ``keep``); return how many modes changed."""
    changed = 0

    def strip(p: str) -> None:
        nonlocal changed
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            return
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            os.chmod(p, mode & 0o700, follow_symlinks=False)
            changed += 1

    if not path.exists():
        return 0
    strip(str(path))
    for directory, dirnames, filenames in os.walk(path):  # never descends into links
        dirnames[:] = [d for d in dirnames if Path(directory, d) not in keep]
        for name in dirnames + filenames:
            strip(os.path.join(directory, name))
    return changed


def make_state_private(settings: CampusSettings) -> int:
    """Make the state folder and the course sources private to their owner and set umask 077
    (so the databases, secrets and storage made later are private too); return how many modes
    changed.
    For ``jupyterhub_config.py`` (local platform), before anything is started."""
    os.umask(0o077)
    state = Path(settings.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    homes = state / "homes"
    changed = _private(state, keep=frozenset({homes}))
    if homes.is_dir():
        homes.chmod(0o700)  # the way to each home; each learner's own is theirs (0700)
    changed += _private(Path(settings.courses_dir))
    return changed
