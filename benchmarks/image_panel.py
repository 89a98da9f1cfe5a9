"""The `panel` stage of hub_config/k8s/Dockerfile, run on this machine without a container builder.

No image can be built on the development machines (the base images' registries are out of
reach: docs/kubernetes.md), so this runs what the stage runs: its COPY instructions applied to an
export of the committed checkout (``git archive HEAD``: what a clean clone holds, nothing built
locally), then its RUN steps in that copy, except the ``apt-get`` one (make, nodejs and npm come
from this machine). The Dockerfile is read by the same reader as tests/test_k8s_image.py.

Prints the time and what the stage leaves for the images (``extensions/nbcampus/labextensions``);
exits 1 when the Courses panel is not there. Needs PyPI and npm (pip and npm ci), a few minutes.

    python benchmarks/image_panel.py [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_k8s_image import PANEL, dockerfile  # noqa: E402  (the tests' Dockerfile reader)


def export_checkout(target: Path) -> None:
    """The committed tree, as a clean clone has it."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the build folder")
    options = parser.parse_args()
    _, stages = dockerfile()
    [stage] = [s for s in stages if s.name == "panel"]
    base = Path(tempfile.mkdtemp(prefix="nbcampus-panel-stage-"))
    context, root = base / "context", base / "root"
    context.mkdir()
    export_checkout(context)
    workdir = root
    started = time.monotonic()
    try:
        for op, rest in stage.instructions:
            if op == "WORKDIR":
                workdir = root / rest.lstrip("/")
                workdir.mkdir(parents=True, exist_ok=True)
            elif op == "COPY":
                *sources, destination = rest.split()
                target = workdir / destination
                for source in sources:
                    path = context / source
                    into = target / path.name if destination.endswith("/") else target
                    into.parent.mkdir(parents=True, exist_ok=True)
                    if path.is_dir():
                        shutil.copytree(path, into, symlinks=True)
                    else:
                        shutil.copy2(path, into)
            elif op == "RUN":
                if "apt-get" in rest:
                    print(f"skipped (this machine's packages instead): RUN {rest[:60]}...")
                    continue
                print(f"RUN {rest}", flush=True)
                step = time.monotonic()
                subprocess.run(["bash", "-eo", "pipefail", "-c", rest], cwd=workdir, check=True)
                print(f"  {time.monotonic() - step:.0f} s")
        built = workdir / PANEL / "@nbcampus" / "labextension"
        files = [p for p in built.rglob("*") if p.is_file()] if built.is_dir() else []
        size = sum(p.stat().st_size for p in files)
        print(f"stage done in {time.monotonic() - started:.0f} s")
        print(f"{PANEL}: {len(files)} files, {size / 1024:.0f} KiB")
        for name in ("package.json", "static"):
            print(f"  {name}: {'present' if (built / name).exists() else 'MISSING'}")
        remote = list(built.glob("static/remoteEntry.*.js"))
        print(f"  remoteEntry: {remote[0].name if remote else 'MISSING'}")
        return 0 if (built / "package.json").is_file() and remote else 1
    finally:
        if options.keep:
            print(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
