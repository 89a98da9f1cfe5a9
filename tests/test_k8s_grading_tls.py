"""TLS between the grading cluster's scheduler, its workers and the nbcampus service.

The scheduler, a worker and a client run here as the manifests of hub_config/k8s/ start them
(their command lines and their Dask settings from the environment), with the certificates of a
Secret like the one the docs make, on 127.0.0.1: the service's client grades through them, and a
client without the school's certificate is refused.
"""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_k8s_manifests import cluster, one
from test_k8s_values import K8S
from traitlets.config import PyFileConfigLoader

from nbcampus.testing import free_port

SECRET = "nbcampus-grading-tls"
BIN = Path(sys.executable).parent


def container_of(pod_spec: dict) -> dict:
    [container] = pod_spec["containers"]
    return container


def tls_mount(pod_spec: dict) -> str:
    """Where the pod mounts the grading TLS Secret (read-only)."""
    [volume] = [v for v in pod_spec["volumes"] if v.get("secret", {}).get("secretName") == SECRET]
    [mount] = [m for m in container_of(pod_spec)["volumeMounts"] if m["name"] == volume["name"]]
    assert mount["readOnly"] is True
    return mount["mountPath"]


def dask_env(pod_spec: dict, certs: Path) -> dict[str, str]:
    """The container's DASK_* settings, its Secret's mount path replaced by ``certs``."""
    mount = tls_mount(pod_spec)
    env = {}
    for item in container_of(pod_spec).get("env", []):
        if item["name"].startswith("DASK_") and "value" in item:
            env[item["name"]] = item["value"].replace(mount, str(certs))
    return env


def pod_specs() -> dict[str, dict]:
    spec = cluster()["spec"]
    service = one("Deployment", "nbcampus")["spec"]["template"]["spec"]
    return {
        "scheduler": spec["scheduler"]["spec"],
        "worker": spec["worker"]["spec"],
        "service": service,
    }


def test_scheduler_workers_and_service_require_tls_with_the_secrets_certificates(tmp_path):
    for name, spec in pod_specs().items():
        env = dask_env(spec, tmp_path)
        assert env["DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION"] == "True", name
        assert env["DASK_DISTRIBUTED__COMM__TLS__CA_FILE"] == f"{tmp_path}/ca.crt", name
        role = {"scheduler": "SCHEDULER", "worker": "WORKER", "service": "CLIENT"}[name]
        assert env[f"DASK_DISTRIBUTED__COMM__TLS__{role}__CERT"] == f"{tmp_path}/tls.crt", name
        assert env[f"DASK_DISTRIBUTED__COMM__TLS__{role}__KEY"] == f"{tmp_path}/tls.key", name
    # the service grades on the scheduler's TLS address; the workers connect to the same
    config = PyFileConfigLoader("service_config.py", path=str(K8S)).load_config()
    address = config.GradingWorker.scheduler_address
    assert urlparse(address).scheme == "tls"
    worker_env = {e["name"]: e.get("value") for e in container_of(pod_specs()["worker"])["env"]}
    assert worker_env["DASK_SCHEDULER_ADDRESS"] == address
    scheduler_args = container_of(pod_specs()["scheduler"])["args"]
    assert scheduler_args[scheduler_args.index("--protocol") + 1] == "tls"


def make_certificates(folder: Path) -> None:
    """A CA and one certificate signed by it, named as cert-manager names a TLS Secret's keys."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject: str, key, issuer: str, issuer_key, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("nbcampus grading CA", ca_key, "nbcampus grading CA", ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate("nbcampus-grading", key, "nbcampus grading CA", ca_key, False)
    pem = serialization.Encoding.PEM
    (folder / "ca.crt").write_bytes(ca.public_bytes(pem))
    (folder / "tls.crt").write_bytes(leaf.public_bytes(pem))
    (folder / "tls.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}: {log.read_text()}")


CLIENT = """
import sys
from distributed import Client
with Client(sys.argv[1], timeout=10) as client:
    client.wait_for_workers(1, timeout=30)
    print(client.submit(sum, [1, 2]).result())
"""


def client(address: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    return subprocess.run(
        [sys.executable, "-c", CLIENT, address],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.skipif(not (BIN / "dask").exists(), reason="the dask command is not installed")
def test_grading_runs_over_tls_and_refuses_a_client_without_the_certificate(tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    make_certificates(certs)
    specs = pod_specs()
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    processes = []
    try:
        # the scheduler and a worker with the manifests' arguments, bound to 127.0.0.1 here
        scheduler = container_of(specs["scheduler"])
        log = tmp_path / "scheduler.log"
        args = [str(BIN / "dask"), *scheduler["args"][1:]]
        args += ["--host", "127.0.0.1", "--port", str(port), "--dashboard-address", "127.0.0.1:0"]
        processes.append(
            subprocess.Popen(
                args,
                env={**base, **dask_env(specs["scheduler"], certs)},
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_for_port(port, processes[0], log)
        worker = container_of(specs["worker"])
        args = [str(BIN / "dask"), *worker["args"][1:]]
        args = [a.replace("$(DASK_WORKER_NAME)", "grading-worker-0") for a in args]
        args += ["--host", "127.0.0.1", "--no-dashboard"]
        worker_env = dask_env(specs["worker"], certs)
        worker_env["DASK_SCHEDULER_ADDRESS"] = address
        processes.append(
            subprocess.Popen(
                args,
                env={**base, **worker_env},
                stdout=(tmp_path / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        # the service's client, with the service's settings, grades through them
        ok = client(address, dask_env(specs["service"], certs))
        assert ok.returncode == 0, ok.stderr + (tmp_path / "worker.log").read_text()
        assert ok.stdout.strip() == "3"
        # no certificate: plain TCP is refused, and so is TLS without the school's certificate
        plain = client(f"tcp://127.0.0.1:{port}", {})
        assert plain.returncode != 0
        ca_only = {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(certs / "ca.crt")}
        anonymous = client(address, ca_only)
        assert anonymous.returncode != 0
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
