"""Entry point of a learner's server: ``jupyterhub-singleuser`` with a faster start-up."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

from nbcampus.startup import skip_slow_imports


def provision_lessons() -> None:
    """Fetch the learner's course lessons into the home folder, where the spawner cannot write
    them itself (a Kubernetes pod: ``NBCAMPUS_PROVISION_LESSONS=1`` set by CampusKubeSpawner).

    Same rules as the local spawner: the server's own token, files already there are kept."""
    # imported after skip_slow_imports() (see main), like jupyterhub.singleuser
    from nbcampus.workspace import CourseMaterials

    materials = CourseMaterials(os.environ["NBCAMPUS_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"])
    written = asyncio.run(materials.provision(Path.home()))
    if written:
        print(f"nbcampus: {len(written)} lesson file(s) added to {Path.home()}", flush=True)


def wait_for_hub(timeout: float = 10.0) -> None:
    """In a jail with a network of its own (``NBCAMPUS_OWN_NETWORK=1``, set by CampusSpawner),
    wait until the hub's relay of the hub API listens on the jail's loopback: the hub opens it
    just after the jail starts, and the server's first act is to call the hub."""
    url = urlparse(os.environ.get("JUPYTERHUB_API_URL", ""))
    if not url.port:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((url.hostname, url.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.01)


def main() -> None:
    skip_slow_imports()
    if os.environ.get("NBCAMPUS_OWN_NETWORK") == "1":
        wait_for_hub()
    if os.environ.get("NBCAMPUS_PROVISION_LESSONS") == "1":
        provision_lessons()
    from jupyterhub.singleuser import main as singleuser_main

    singleuser_main()


if __name__ == "__main__":
    main()
