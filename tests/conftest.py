"""Shared fixtures.

- ``school``: a real JupyterHub started from hub_config/jupyterhub_config.py in a subprocess, with
  the demo courses, demo accounts and state in a temporary folder; real learner servers spawn.
- ``output_dir``: a folder under test-output/ for a test's screenshots and logs.
- ``free_port``: a free TCP port on 127.0.0.1.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from nbcampus.testing import OUTPUT_DIR, School, free_port, start_hub, stop_hub

ROOT = Path(__file__).resolve().parents[1]
# nbgrader runs `alembic` by name: the tools of this interpreter's environment come first
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
OUTPUT = OUTPUT_DIR
# every hub of the run publishes the same test courses: each exercise goes through nbgrader once
# per run, not once per hub (CampusService.release_cache_dir; a private folder, removed at exit)
if not os.environ.get("NBCAMPUS_RELEASE_CACHE"):
    os.environ["NBCAMPUS_RELEASE_CACHE"] = tempfile.mkdtemp(prefix="nbcampus-releases-")
    atexit.register(shutil.rmtree, os.environ["NBCAMPUS_RELEASE_CACHE"], True)


@pytest.fixture(name="free_port")
def _free_port_fixture() -> int:
    return free_port()


@pytest.fixture
def output_dir(request) -> Path:
    path = OUTPUT / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def school(tmp_path_factory) -> School:
    from nbcampus.apps.demo import prepare_demo
    from nbcampus.hub.settings import CampusSettings

    state_dir = tmp_path_factory.mktemp("school-state")
    settings = CampusSettings(state_dir=str(state_dir))
    accounts = prepare_demo(settings)
    OUTPUT.mkdir(exist_ok=True)
    log_path = OUTPUT / "school-hub.log"
    process, url = start_hub(state_dir, log_path)
    yield School(url, state_dir, {a["username"]: a["password"] for a in accounts}, log_path)
    stop_hub(process)
