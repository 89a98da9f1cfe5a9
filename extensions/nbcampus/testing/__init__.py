"""Run a real nbcampus hub for tests and benchmarks: start it, log in, spawn, stop it.

Used by tests/conftest.py and benchmarks/; like jupyterhub's own ``mocking`` module, but with the
real hub, proxy and learner servers.

- ``hub``: ``start_hub``/``stop_hub``, ``running_campus`` (a hub with the service on the test
  courses), ``School`` (log in, spawn, run code as a learner), the test accounts;
- ``kernels``: ``kernel_execute``, code run through a kernel's websocket;
- ``courses``: ``write_course`` (a valid course folder), ``write_peer_course`` (one with a
  peer-reviewed exercise) and graded submissions as rows.
"""

from nbcampus.testing.courses import (
    add_full_marks,
    add_graded_submission,
    write_course,
    write_peer_course,
)
from nbcampus.testing.hub import (
    HUB_CONFIG,
    OUTPUT_DIR,
    PASSWORD,
    PEOPLE,
    PG_URL,
    ROOT,
    LoginFailed,
    School,
    free_port,
    running_campus,
    start_hub,
    stop_hub,
)
from nbcampus.testing.kernels import KernelRun, kernel_execute

__all__ = [
    "HUB_CONFIG",
    "OUTPUT_DIR",
    "PASSWORD",
    "PEOPLE",
    "PG_URL",
    "ROOT",
    "KernelRun",
    "LoginFailed",
    "School",
    "add_full_marks",
    "add_graded_submission",
    "free_port",
    "kernel_execute",
    "running_campus",
    "start_hub",
    "stop_hub",
    "write_course",
    "write_peer_course",
]
