"""A learner's network, tried from inside real learner servers of the demo school: their own
network namespace, where nothing of the host (databases, the hub's other ports, other learners'
kernels) can be reached, and through which the server still works.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.hub

#: the database servers this machine runs on loopback (PostgreSQL, MariaDB, Redis, RabbitMQ,
#: Mosquitto, NATS): the ones a learner reached before
HOST_SERVICES = [5432, 3306, 6379, 5672, 1883, 4222]

TRY_CONNECT = """
import errno, json, socket
seen = {}
for port in json.loads(%r):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        seen[port] = "connected"
    except OSError as e:
        seen[port] = errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()
print(json.dumps(seen))
"""

#: TRY_CONNECT, with the ports the trying jail listens on itself (read in the same run, while
#: its kernel's own ports are open)
TRY_CONNECT_AWAY = TRY_CONNECT.replace(
    "print(json.dumps(seen))",
    """own = set()
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(name).read().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":
            own.add(int(fields[1].rsplit(":", 1)[1], 16))
print(json.dumps({"tried": seen, "own": sorted(own)}))""",
)

KERNEL_INFO = """
import json, os
from ipykernel.connect import get_connection_info
info = get_connection_info(unpack=True)
ports = {k: info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
print(json.dumps({
    "ports": ports,
    "uid": os.getuid(),
    "server": os.environ["JUPYTERHUB_SERVICE_URL"],
    "hub": os.environ["JUPYTERHUB_API_URL"],
    "service": os.environ["NBCAMPUS_API_URL"],
}))
"""

LISTENERS = """
import json
listening = {}
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    for line in open(name).read().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":  # LISTEN: port -> owner's uid
            listening[int(fields[1].rsplit(":", 1)[1], 16)] = int(fields[7])
print(json.dumps(listening))
"""


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def _server(school, username):
    session = school.login(username)
    school.start_server(session, username)
    return session


def _run(school, session, username, code, **kwargs):
    run = school.run_in_kernel(session, username, code, **kwargs)
    assert not run.error, run.error
    return json.loads(run.stdout)


def test_nothing_on_the_hosts_loopback_answers_a_learner(school):
    public = urlparse(school.url).port
    targets = [p for p in HOST_SERVICES if _accepts(p)]
    # they answer on the host: the test would prove nothing otherwise
    assert 5432 in targets, "PostgreSQL is not listening on the host's 127.0.0.1:5432"
    assert _accepts(public)
    session = _server(school, "learner1")
    seen = _run(school, session, "learner1", TRY_CONNECT % json.dumps([*targets, public]))
    assert seen == {str(p): "ECONNREFUSED" for p in [*targets, public]}, seen


def test_a_learner_cannot_reach_another_learners_kernel(school):
    other = _server(school, "learner2")
    # learner2's kernel keeps running (and printing) while learner1 tries it
    theirs = _run(school, other, "learner2", KERNEL_INFO, shutdown=False)
    ports = sorted(theirs["ports"].values())
    own = _run(school, other, "learner2", TRY_CONNECT % json.dumps(ports))
    assert set(own.values()) == {"connected"}, own  # the ports are real, inside learner2's jail

    session = _server(school, "learner1")
    seen = _run(school, session, "learner1", TRY_CONNECT_AWAY % json.dumps(ports))
    # a port learner1's own jail happens to listen on too (its kernel, its server, its relays:
    # each jail picks its ports on its own loopback) answers from learner1's jail, not learner2's
    away = {p: said for p, said in seen["tried"].items() if int(p) not in seen["own"]}
    assert away and set(away.values()) == {"ECONNREFUSED"}, seen
    # nor from the host: the kernel listens on its jail's loopback only
    assert not [p for p in ports if _accepts(p)]
    # and learner2's server is reached through the proxy only, not on the jail's port
    server_port = urlparse(theirs["server"]).port
    seen = _run(school, session, "learner1", TRY_CONNECT_AWAY % json.dumps([server_port]))
    if server_port not in seen["own"]:
        assert seen["tried"] == {str(server_port): "ECONNREFUSED"}, seen


def test_proc_net_shows_the_jails_own_sockets_only(school):
    session = _server(school, "learner1")
    info = _run(school, session, "learner1", KERNEL_INFO, shutdown=False)
    listening = {int(p): uid for p, uid in _run(school, session, "learner1", LISTENERS).items()}
    server, hub, service = (urlparse(info[k]).port for k in ("server", "hub", "service"))
    host_listeners = [p for p in [*HOST_SERVICES, urlparse(school.url).port] if _accepts(p)]
    assert host_listeners and not set(listening) & set(host_listeners), listening
    # the jail's own loopback: its server and kernels (the learner's uid) ...
    assert listening[server] == info["uid"]
    assert all(listening[p] == info["uid"] for p in info["ports"].values())
    # ... and the hub's two relays out (made by the hub, uid 0): nothing else of anyone's
    assert {p for p, uid in listening.items() if uid != info["uid"]} == {hub, service}
    assert {uid for uid in listening.values()} == {info["uid"], 0}


def test_the_server_reaches_the_hub_and_the_service_through_its_relays(school):
    session = _server(school, "learner1")
    code = """
import json, os, urllib.request
def get(url):
    request = urllib.request.Request(
        url, headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}
    )
    return json.load(urllib.request.urlopen(request, timeout=30))
me = get(os.environ["JUPYTERHUB_API_URL"] + "/user")
enrolments = get(os.environ["NBCAMPUS_API_URL"] + "me/enrolments")["enrolments"]
print(json.dumps({"name": me["name"], "courses": [e["course"] for e in enrolments]}))
"""
    out = _run(school, session, "learner1", code)
    assert out["name"] == "learner1"
    assert "python-data" in out["courses"]
    # the Courses panel's server extension reaches the service (the proxy -> relay -> jail way)
    session.get(f"{school.url}user/learner1/lab").raise_for_status()  # sets the server's _xsrf
    r = session.get(
        f"{school.url}user/learner1/nbcampus/api/me/enrolments",
        headers={"X-XSRFToken": school.xsrf(session, "learner1")},
        timeout=60,
    )
    assert r.status_code == 200, r.text


INNER_SERVER = """
import http.server, socket, sys, urllib.request
hub, port = int(sys.argv[1]), int(sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        said = urllib.request.urlopen(f"http://127.0.0.1:{hub}/hello").read()
        try:
            socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
            pg = b"postgres answered"
        except OSError:
            pg = b"no postgres"
        body = said + b" | " + pg + b" | " + b"x" * 2_000_000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def test_relays_carry_a_jails_traffic_both_ways_while_the_hubs_loop_is_busy(tmp_path):
    """A server in a real jail with a network of its own, reached through the relays from the
    host, reaching a stand-in hub on the host through them: while the loop that opened the
    relays is blocked (as the hub's is while it hashes a password)."""
    import asyncio
    import http.server
    import subprocess
    import sys
    import threading
    import time
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from nbcampus.bwrap import Jail, Limits, python_roots
    from nbcampus.hub.learner_network import LearnerNetwork
    from nbcampus.testing import free_port

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"hub hello")

        def log_message(self, *args):
            pass

    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    hub_port, port = hub.server_address[1], free_port()
    jail = Jail(uid=2_000_000, limits=Limits(cpu_seconds=None), readonly=python_roots())
    assert "--unshare-net" in jail.command([])
    process = subprocess.Popen(
        jail.command([sys.executable, "-c", INNER_SERVER, str(hub_port), str(port)])
    )

    def get() -> bytes:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read()

    async def main() -> bytes:
        network = await LearnerNetwork.open(process.pid, port, [("127.0.0.1", hub_port)])
        try:
            deadline = time.monotonic() + 30
            while not await network.server_accepts():
                assert time.monotonic() < deadline, "the jailed server never listened"
                await asyncio.sleep(0.05)
            with ThreadPoolExecutor(1) as pool:
                request = pool.submit(get)
                deadline = time.monotonic() + 30
                while not request.done() and time.monotonic() < deadline:
                    time.sleep(0.05)  # this loop is blocked the whole time
                assert request.done(), "no answer while the opening loop was blocked"
                return request.result()
        finally:
            network.close()

    try:
        body = asyncio.run(main())
    finally:
        process.kill()
        process.wait()
        hub.shutdown()
    assert body.startswith(b"hub hello | no postgres | ")
    assert len(body) == len(b"hub hello | no postgres | ") + 2_000_000
