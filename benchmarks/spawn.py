"""Spawn benchmark: login -> JupyterLab ready, nbcampus against a stock JupyterHub, same run.

Usage: .venv/bin/python benchmarks/spawn.py [--spawns 10]

Both hubs run on this machine, on loopback, one after the other, with the same client: log in
through the login form, start the server, poll /user/NAME/lab until JupyterLab answers. Spawns
are sequential (one at a time) so the figure is the start-up cost of one learner.
The stock hub is JupyterHub with SimpleLocalProcessSpawner, the plain `jupyterhub-singleuser`
command and DummyAuthenticator, as its documentation sets it up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nbcampus.testing import ROOT, School, start_hub, stop_hub

STOCK_CONFIG = """
import os
c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:" + os.environ["NBCAMPUS_PORT"]
c.JupyterHub.hub_port = int(os.environ["NBCAMPUS_HUB_PORT"])
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + os.environ["NBCAMPUS_PROXY_API_PORT"]
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "benchmark-password"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.http_timeout = 60
"""


def time_spawns(school: School, users: list[str]) -> list[float]:
    times = []
    for username in users:
        started = time.perf_counter()
        session = school.login(username)
        school.start_server(session, username, timeout=120)
        times.append(time.perf_counter() - started)
        print(f"  {username}: {times[-1]:.2f} s", flush=True)
    return times


def run_nbcampus(workdir: Path, users: list[str]) -> list[float]:
    from nbcampus.apps.demo import _write_private
    from nbcampus.hub.settings import CampusSettings

    state = workdir / "nbcampus"
    state.mkdir()
    settings = CampusSettings(state_dir=str(state))
    password = "benchmark-password"
    _write_private(
        Path(settings.accounts_file), [{"username": u, "password": password} for u in users]
    )
    _write_private(Path(settings.enrolments_file), {u: ["python-data"] for u in users})
    process, url = start_hub(state, workdir / "nbcampus-hub.log")
    try:
        return time_spawns(
            School(url, state, {u: password for u in users}, workdir / "nbcampus-hub.log"), users
        )
    finally:
        stop_hub(process)


def run_stock(workdir: Path, users: list[str]) -> list[float]:
    state = workdir / "stock"
    (state / "homes").mkdir(parents=True)
    bindir = Path(sys.executable).parent
    config = state / "jupyterhub_config.py"
    config.write_text(
        STOCK_CONFIG.format(
            proxy=str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy"),
            homes=str(state / "homes"),
            singleuser=str(bindir / "jupyterhub-singleuser"),
        )
    )
    command = [str(bindir / "jupyterhub"), "-f", str(config)]
    process, url = start_hub(state, workdir / "stock-hub.log", command=command)
    try:
        return time_spawns(
            School(url, state, {u: "benchmark-password" for u in users}, workdir / "stock-hub.log"),
            users,
        )
    finally:
        stop_hub(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spawns", type=int, default=10, help="spawns per hub (default 10)")
    args = parser.parse_args()
    users = [f"bench{i:02d}" for i in range(args.spawns)]
    workdir = Path(tempfile.mkdtemp(prefix="nbcampus-bench-spawn-"))
    try:
        print(f"stock JupyterHub ({args.spawns} sequential spawns):", flush=True)
        stock = run_stock(workdir, users)
        print(f"nbcampus ({args.spawns} sequential spawns):", flush=True)
        ours = run_nbcampus(workdir, users)
    finally:
        if not os.environ.get("NBCAMPUS_KEEP_BENCH"):
            shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "spawns": args.spawns,
        "stock_median_s": round(statistics.median(stock), 2),
        "nbcampus_median_s": round(statistics.median(ours), 2),
        "ratio": round(statistics.median(ours) / statistics.median(stock), 2),
    }
    print(f"\nlogin -> JupyterLab ready, median of {args.spawns}:")
    print(f"  stock JupyterHub : {result['stock_median_s']:.2f} s")
    print(f"  nbcampus         : {result['nbcampus_median_s']:.2f} s")
    print(f"  ratio            : {result['ratio']:.2f} (target <= 0.5)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
