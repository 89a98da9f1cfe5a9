"""Entry point of a learner's server: ``jupyterhub-singleuser`` with a faster start-up."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

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


def main() -> None:
    skip_slow_imports()
    if os.environ.get("NBCAMPUS_PROVISION_LESSONS") == "1":
        provision_lessons()
    from jupyterhub.singleuser import main as singleuser_main

    singleuser_main()


if __name__ == "__main__":
    main()
