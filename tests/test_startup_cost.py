"""What every Jupyter process of the school pays at start: no import builds grammars it never uses.

jsonschema loads rfc3987-syntax when it is installed, which compiles 35 Earley parsers at import
(1.4 s of CPU here) for the iri formats no Jupyter or nbcampus schema uses; the install removes it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# what a learner's server, the service and the grader import on their way up
STARTS = {
    "learner server": "import jupyter_server.serverapp, jupyterlab.labapp, nbformat",
    "service": "import nbcampus.service.app",
    "grader": "import nbgrader.apps.autogradeapp",
}


@pytest.mark.parametrize("what", sorted(STARTS))
def test_starting_builds_no_iri_grammar(what):
    probe = STARTS[what] + "; import sys; print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", (
        f"the {what} loads rfc3987_syntax (1.4 s of CPU at every start): `make install` removes it"
    )
