"""Process start-up shared by the hub and the learner servers nbcampus launches.

``rfc3987_syntax`` (pulled in by ``jsonschema[format-nongpl]`` through jupyter_events) builds a
grammar when imported: about 1.4 s of every hub and learner-server start on a 2-core machine, for
an "iri" string format that no Jupyter event schema uses. Marking it unavailable makes jsonschema
skip that one format checker, as it does whenever the package is not installed.
"""

from __future__ import annotations

import sys


def skip_slow_imports() -> None:
    """Make ``import rfc3987_syntax`` fail fast, as if it were not installed."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
