"""Where the school keeps its state (keys, secrets, exchange files): one default for all."""

from __future__ import annotations

import os
from typing import Any


def default_state_dir(parent: Any = None) -> str:
    """The state folder of ``parent`` (a configurable's parent application) if it has one, else
    NBCAMPUS_STATE_DIR, else ./var."""
    return getattr(parent, "state_dir", None) or os.environ.get(
        "NBCAMPUS_STATE_DIR", os.path.abspath("var")
    )
