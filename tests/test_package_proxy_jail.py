"""Package-index access from inside real learner servers (their own network namespace): a
learner enrolled in a course that names a package host reaches it through the hub's proxy, and
nothing else, neither directly nor through the proxy; a learner whose courses name none gets
no proxy at all.

The package host is a stand-in index on the host's 127.0.0.1 (tests do not reach the internet),
to which the hub's configuration pins the course's host name (``NBCAMPUS_PACKAGE_UPSTREAMS``),
as an admin pins a private mirror.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
import zipfile

import pytest

from nbcampus.testing import running_campus

pytestmark = pytest.mark.hub

HOST = "pypi.test"


WHEEL = "nbcampus_probe_pkg-1.0-py3-none-any.whl"


def _wheel() -> bytes:
    """A tiny wheel for pip to download from the stand-in index."""
    out = io.BytesIO()
    info = "nbcampus_probe_pkg-1.0.dist-info"
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("nbcampus_probe_pkg/__init__.py", "VALUE = 42\n")
        z.writestr(
            f"{info}/METADATA", "Metadata-Version: 2.1\nName: nbcampus-probe-pkg\nVersion: 1.0\n"
        )
        z.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr(f"{info}/RECORD", "")
    return out.getvalue()


class Index(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"index at {self.path} for {self.headers.get('Host')}".encode()
        kind = "text/plain"
        if self.path == "/simple/nbcampus-probe-pkg/":
            body = f'<html><body><a href="/files/{WHEEL}">{WHEEL}</a></body></html>'.encode()
            kind = "text/html"
        elif self.path == f"/files/{WHEEL}":
            body, kind = _wheel(), "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def index():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def campus(tmp_path_factory, index):
    pins = {f"{HOST}:443": f"127.0.0.1:{index}", f"{HOST}:80": f"127.0.0.1:{index}"}
    with running_campus(
        tmp_path_factory.mktemp("packages"),
        name="packages",
        env_extra={"NBCAMPUS_PACKAGE_UPSTREAMS": json.dumps(pins)},
        open_mooc={"packages": {"hosts": [HOST], "index_url": f"http://{HOST}/simple/"}},
    ) as school:
        yield school


PROBE = r"""
import errno, json, os, socket, subprocess, urllib.request
from urllib.parse import urlparse
out = {"env": {k: os.environ.get(k) for k in (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "PIP_PROXY", "PIP_INDEX_URL",
    "PIP_TRUSTED_HOST")}}

def direct(port):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("127.0.0.1", port))
        return "connected"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()

out["direct"] = {p: direct(p) for p in (5432, 3128)}
proxy = os.environ.get("HTTPS_PROXY")
if proxy:
    where = urlparse(proxy)
    def connect(target, then=b""):
        s = socket.create_connection((where.hostname, where.port), timeout=20)
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode() + then)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if not then and b"\r\n\r\n" in data and not data.startswith(b"HTTP/1.1 200"):
                break
        s.close()
        return data.decode(errors="replace")
    out["tunnel"] = connect(f"{os.environ['OUT_HOST']}:443",
                            b"GET /through-the-tunnel HTTP/1.0\r\nHost: x\r\n\r\n")
    out["refused"] = {t: connect(t).split("\r\n", 1)[0] for t in (
        "127.0.0.1:5432", "localhost:5432", "localhost:443", "other.test:443",
        os.environ["OUT_HOST"] + ":5432")}
    out["get"] = urllib.request.urlopen(
        f"http://{os.environ['OUT_HOST']}/simple/demo/", timeout=20).read().decode()
    curl = subprocess.run(["curl", "-sS", "-p", f"http://{os.environ['OUT_HOST']}:443/by-curl"],
                          capture_output=True, text=True, timeout=60)
    out["curl"] = curl.stdout + curl.stderr
    curl = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_connect}",
                           "-p", "http://127.0.0.1:5432/"],
                          capture_output=True, text=True, timeout=60,
                          # through the proxy, not direct as NO_PROXY says for 127.0.0.1
                          env={k: v for k, v in os.environ.items() if k.lower() != "no_proxy"})
    out["curl_pg"] = curl.stdout
    import sys
    pip = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                          "--disable-pip-version-check", "-d", "wheels", "nbcampus-probe-pkg"],
                         capture_output=True, text=True, timeout=120)
    out["pip"] = [pip.returncode, pip.stderr[-2000:], sorted(os.listdir("wheels"))
                  if os.path.isdir("wheels") else []]
print(json.dumps(out))
"""


def _probe(school, username):
    session = school.login(username)
    school.start_server(session, username)
    code = PROBE.replace("os.environ['OUT_HOST']", repr(HOST)).replace(
        'os.environ["OUT_HOST"]', repr(HOST)
    )
    run = school.run_in_kernel(session, username, code)
    assert not run.error, run.error
    return json.loads(run.stdout)


def test_an_enrolled_learner_reaches_the_courses_host_and_nothing_else(campus):
    r = campus.api(campus.tokens["ana"], "POST", "courses/open-mooc/enrolments", json={})
    assert r.status_code == 201, r.text
    rows = campus.api(campus.tokens["ana"], "GET", "me/enrolments").json()["enrolments"]
    assert [row["packages"] for row in rows] == [
        {"hosts": [HOST], "index_url": f"http://{HOST}/simple/"}
    ]

    out = _probe(campus, "ana")
    proxy = out["env"]["HTTPS_PROXY"]
    assert proxy and proxy.startswith("http://127.0.0.1:")
    assert set(out["env"].values()) - {proxy} == {f"http://{HOST}/simple/", HOST}
    # the host's PostgreSQL stays out of reach, directly ...
    assert out["direct"]["5432"] == "ECONNREFUSED"
    # ... and through the proxy, by address, by a name for this machine, or on another port
    assert out["refused"] == {
        target: "HTTP/1.1 403 Forbidden"
        for target in (
            "127.0.0.1:5432",
            "localhost:5432",
            "localhost:443",
            "other.test:443",
            f"{HOST}:5432",
        )
    }
    assert out["curl_pg"] == "403"
    # the course's host answers: a tunnel (what pip does for https), a plain GET, curl
    assert out["tunnel"].startswith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.0 200")
    assert out["tunnel"].endswith("index at /through-the-tunnel for x")
    assert out["get"] == f"index at /simple/demo/ for {HOST}"
    assert out["curl"] == f"index at /by-curl for {HOST}:443"
    # and pip, told by the environment alone (PIP_INDEX_URL, PIP_PROXY, PIP_TRUSTED_HOST)
    assert out["pip"] == [0, "", [WHEEL]], out["pip"]
    log = campus.log()
    assert "package proxy (ana): refused 'CONNECT 127.0.0.1:5432 HTTP/1.1'" in log
    assert f"reaches package hosts {HOST} through the proxy" in log


def test_a_learner_whose_courses_name_no_host_gets_no_proxy(campus):
    r = campus.api(campus.tokens["bo"], "POST", "courses/other/enrolments", json={})
    assert r.status_code == 201, r.text
    out = _probe(campus, "bo")
    assert set(out["env"].values()) == {None}
    assert out["direct"] == {"5432": "ECONNREFUSED", "3128": "ECONNREFUSED"}


ENV_ONLY = r"""
import errno, json, os, socket
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", 3128))
    proxy = "connected"
except OSError as e:
    proxy = errno.errorcode.get(e.errno, str(e))
print(json.dumps({"HTTPS_PROXY": os.environ.get("HTTPS_PROXY"), "3128": proxy}))
"""


def test_leaving_the_course_closes_the_way_at_the_next_start(campus):
    token = campus.tokens["cy"]
    assert campus.api(token, "POST", "courses/open-mooc/enrolments", json={}).status_code == 201
    session = campus.login("cy")
    campus.start_server(session, "cy")
    run = campus.run_in_kernel(session, "cy", ENV_ONLY)
    assert json.loads(run.stdout) == {"HTTPS_PROXY": "http://127.0.0.1:3128", "3128": "connected"}

    r = campus.api(token, "DELETE", "courses/open-mooc/enrolments/cy?reason=done")
    assert r.status_code == 200, r.text
    campus.stop_server(session, "cy")
    campus.start_server(session, "cy")
    run = campus.run_in_kernel(session, "cy", ENV_ONLY)
    assert json.loads(run.stdout) == {"HTTPS_PROXY": None, "3128": "ECONNREFUSED"}
