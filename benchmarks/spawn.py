"""Spawn benchmark: login -> JupyterLab ready, nbcampus against a stock JupyterHub, same run.

Usage: .venv/bin/python benchmarks/spawn.py [--spawns 10] [--no-stock] [--network]

Both hubs run on this machine, on loopback, one after the other, with the same client: log in
through the login form, start the server, poll /user/NAME/lab until JupyterLab answers. Spawns
are sequential (one at a time) so the figure is the start-up cost of one learner.
The stock hub is JupyterHub with SimpleLocalProcessSpawner, the plain `jupyterhub-singleuser`
command and DummyAuthenticator, as its documentation sets it up.
nbcampus runs twice, one hub after the other: without learner isolation
(NBCAMPUS_LEARNER_ISOLATION=none, NBCAMPUS_UNSAFE_SHARED_SERVERS=1, the loopback ports that answer
accepted) and with it (the default: a bubblewrap jail and a network namespace per server, the
hub relaying the server's port, the hub API and the service). The difference is the isolation's
cost per spawn, within the noise of a shared machine; the script also times a bare process start
with and without a jail.
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

from nbcampus.hub.loopback import reachable_loopback_ports
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


def nbcampus_hub(workdir: Path, users: list[str], name: str, env: dict | None = None):
    """Start an nbcampus hub whose accounts are ``users``; return (process, School)."""
    from nbcampus.apps.demo import _write_private
    from nbcampus.hub.settings import CampusSettings

    state = workdir / name
    state.mkdir()
    settings = CampusSettings(state_dir=str(state))
    password = "benchmark-password"
    _write_private(
        Path(settings.accounts_file), [{"username": u, "password": password} for u in users]
    )
    _write_private(Path(settings.enrolments_file), {u: ["python-data"] for u in users})
    log = workdir / f"{name}-hub.log"
    process, url = start_hub(state, log, env_extra=env)
    return process, School(url, state, {u: password for u in users}, log)


def run_nbcampus(
    workdir: Path, users: list[str], name: str = "nbcampus", env: dict | None = None
) -> list[float]:
    process, school = nbcampus_hub(workdir, users, name, env)
    try:
        return time_spawns(school, users)
    finally:
        stop_hub(process)


def run_network_ab(workdir: Path, users: list[str]) -> tuple[list[float], list[float]]:
    """Two isolated hubs side by side, one giving each jail a network of its own (the default),
    one sharing the host's network (the loopback ports that answer accepted); spawns alternate
    between them, so that a load changing during the run weighs on both alike."""
    own_process, own = nbcampus_hub(workdir, users, "nbcampus-own-network")
    try:
        # after the first hub is up: its ports answer too
        shared_env = {
            "NBCAMPUS_LEARNER_NETWORK": "shared",
            "NBCAMPUS_ACCEPTED_LOOPBACK_PORTS": ",".join(map(str, reachable_loopback_ports())),
        }
        shared_process, shared = nbcampus_hub(workdir, users, "nbcampus-shared-network", shared_env)
        try:
            own_times: list[float] = []
            shared_times: list[float] = []
            for i, username in enumerate(users):
                pairs = [(own, own_times, "own"), (shared, shared_times, "shared")]
                for school, times, label in pairs if i % 2 == 0 else pairs[::-1]:
                    print(f"  {label:>6} network", end="", flush=True)
                    times.extend(time_spawns(school, [username]))
            return own_times, shared_times
        finally:
            stop_hub(shared_process)
    finally:
        stop_hub(own_process)


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


def jail_overhead(runs: int = 15) -> tuple[float, float, float]:
    """Median seconds of `python -c pass`: plain, inside a learner's jail (with its network
    namespace) and inside one sharing the host's network."""
    import subprocess

    from nbcampus.bwrap import give_to
    from nbcampus.hub.isolation import LearnerIsolation

    home = Path(tempfile.mkdtemp(prefix="nbcampus-bench-jail-"))
    try:
        isolation = LearnerIsolation()
        uid = isolation.uid(0)
        give_to(home, uid)
        jail = isolation.jail(home, uid, [str(ROOT / "hub_config" / "singleuser")])

        def median(command: list[str]) -> float:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                subprocess.run(command, check=True)
                times.append(time.perf_counter() - started)
            return statistics.median(times)

        plain = median([sys.executable, "-c", "pass"])
        jailed = median(jail.command([sys.executable, "-c", "pass"]))
        jail.network = True
        return plain, jailed, median(jail.command([sys.executable, "-c", "pass"]))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spawns", type=int, default=10, help="spawns per hub (default 10)")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock JupyterHub")
    parser.add_argument(
        "--network",
        action="store_true",
        help="only the cost of the learner network: jails with a network of their own against "
        "jails sharing the host's, two hubs side by side, spawns alternating",
    )
    args = parser.parse_args()
    users = [f"bench{i:02d}" for i in range(args.spawns)]
    workdir = Path(tempfile.mkdtemp(prefix="nbcampus-bench-spawn-"))
    if args.network:
        try:
            own, shared = run_network_ab(workdir, users)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        own_s, shared_s = statistics.median(own), statistics.median(shared)
        print(f"\nlogin -> JupyterLab ready, median of {args.spawns}:")
        print(f"  jail, own network     : {own_s:.2f} s")
        print(f"  jail, host's network  : {shared_s:.2f} s")
        print(f"  network cost          : {own_s - shared_s:+.2f} s ({own_s / shared_s - 1:+.1%})")
        result = {
            "spawns": args.spawns,
            "own_network_median_s": round(own_s, 2),
            "shared_network_median_s": round(shared_s, 2),
            "network_cost_ratio": round(own_s / shared_s, 3),
        }
        print(json.dumps(result))
        return
    try:
        if not args.no_stock:
            print(f"stock JupyterHub ({args.spawns} sequential spawns):", flush=True)
            stock = run_stock(workdir, users)
        # one hub at a time (the machine is shared); the unisolated run goes first, so that a
        # load rising during the run does not favour isolation
        # unisolated servers share the host's network: the benchmark accepts the loopback
        # ports that answer now (the hub refuses to start for several people otherwise)
        shared = {
            "NBCAMPUS_LEARNER_ISOLATION": "none",
            "NBCAMPUS_UNSAFE_SHARED_SERVERS": "1",
            "NBCAMPUS_ACCEPTED_LOOPBACK_PORTS": ",".join(map(str, reachable_loopback_ports())),
        }
        print(f"nbcampus, not isolated ({args.spawns} sequential spawns):", flush=True)
        unisolated = run_nbcampus(workdir, users, "nbcampus-shared", shared)
        print(f"nbcampus, isolated ({args.spawns} sequential spawns):", flush=True)
        ours = run_nbcampus(workdir, users)
    finally:
        if not os.environ.get("NBCAMPUS_KEEP_BENCH"):
            shutil.rmtree(workdir, ignore_errors=True)
    ours_s, unisolated_s = statistics.median(ours), statistics.median(unisolated)
    result = {
        "spawns": args.spawns,
        "nbcampus_median_s": round(ours_s, 2),
        "nbcampus_unisolated_median_s": round(unisolated_s, 2),
        "isolation_overhead_s": round(ours_s - unisolated_s, 2),
    }
    plain, jailed, shared_net = jail_overhead()
    result["jail_start_overhead_ms"] = round((jailed - plain) * 1000, 1)
    result["network_namespace_ms"] = round((jailed - shared_net) * 1000, 1)
    print(
        f"\npython -c pass: {plain * 1000:.1f} ms plain, {jailed * 1000:.1f} ms in a jail "
        f"({shared_net * 1000:.1f} ms in one sharing the host's network)"
    )
    print(f"\nlogin -> JupyterLab ready, median of {args.spawns}:")
    if not args.no_stock:
        result["stock_median_s"] = round(statistics.median(stock), 2)
        result["ratio"] = round(ours_s / statistics.median(stock), 2)
        print(f"  stock JupyterHub       : {result['stock_median_s']:.2f} s")
    print(f"  nbcampus (isolated)    : {ours_s:.2f} s")
    print(f"  nbcampus (not isolated): {unisolated_s:.2f} s")
    print(f"  isolation overhead     : {result['isolation_overhead_s']:+.2f} s")
    if not args.no_stock:
        print(f"  ratio to stock         : {result['ratio']:.2f} (target <= 0.5)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
