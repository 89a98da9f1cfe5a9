"""kill -9 of the service in the middle of an upload: nothing half-written, nothing lost after."""

from __future__ import annotations

import signal
import socket
import time

import psutil
import pytest
from sqlalchemy import create_engine, func, select

from nbcampus.school.exchange.models import Submission

from .conftest import running_campus
from .test_exchange_api import answer_notebook, zip_of

pytestmark = pytest.mark.hub


def service_process(port: int) -> psutil.Process:
    for proc in psutil.process_iter(["cmdline"]):
        if "nbcampus.service" in " ".join(proc.info["cmdline"] or []):
            try:
                if any(
                    c.laddr.port == port and c.status == psutil.CONN_LISTEN
                    for c in proc.net_connections("inet")
                ):
                    return proc
            except psutil.Error:
                continue
    raise AssertionError(f"no nbcampus service listening on {port}")


def test_kill_9_mid_upload_leaves_no_half_written_submission(tmp_path):
    with running_campus(tmp_path / "state", name="crash") as campus:
        token = campus.tokens["ana"]
        assert campus.api(token, "POST", "courses/open-mooc/enrolments", json={}).status_code == 201
        body = zip_of({"ex1.ipynb": answer_notebook(), "padding.txt": "x" * 200_000})
        path = "/services/nbcampus/api/exchange/courses/open-mooc/assignments/ex1/submissions"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {token}\r\n"
            f"Content-Type: application/zip\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        service = service_process(campus.service_port)
        with socket.create_connection(("127.0.0.1", campus.service_port)) as sock:
            sock.sendall(head + body[: len(body) // 2])  # half the upload is on the wire
            time.sleep(0.5)
            service.send_signal(signal.SIGKILL)
            deadline = time.monotonic() + 10
            while (
                service.is_running() and service.status() != psutil.STATUS_ZOMBIE
            ):  # the hub reaps it later
                assert time.monotonic() < deadline
                time.sleep(0.05)

        engine = create_engine(campus.db_url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Submission)).scalar() == 0
        engine.dispose()
        stored = campus.state_dir / "exchange" / "submissions"
        assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]

        # the hub restarts its managed service; a full upload then is stored and acknowledged
        deadline = time.monotonic() + 60
        while campus.api(None, "GET", "openapi.json").status_code != 200:
            assert time.monotonic() < deadline, "the hub did not restart the service"
            time.sleep(0.5)
        r = campus.api(
            token, "POST", "exchange/courses/open-mooc/assignments/ex1/submissions", data=body
        )
        assert r.status_code == 201
        submission = r.json()
        folder = stored / "open-mooc" / "ex1" / "ana" / submission["id"]
        assert sorted(p.name for p in folder.iterdir()) == ["ex1.ipynb", "padding.txt"]
        assert not [p for p in stored.rglob(".incoming-*")]
