"""Learner and grading isolation on Kubernetes: the NetworkPolicies of hub_config/k8s/ (the
kustomization's manifests as applied) and of the z2jh values, and the hub's start saying what
it cannot check."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

import pytest
from test_k8s_values import K8S, load, run_extra_config

SCHEDULER = {"dask.org/cluster-name": "nbcampus-grading", "dask.org/component": "scheduler"}
WORKER = {"dask.org/cluster-name": "nbcampus-grading", "dask.org/component": "worker"}
KUBE_DNS = {"kubernetes.io/metadata.name": "kube-system"}
OPERATOR_NAMESPACE = {"kubernetes.io/metadata.name": "dask-operator"}


@pytest.fixture
def values() -> dict:
    return load("values.yaml")[0]


def rendered() -> list[dict]:
    """The manifests ``kubectl apply -k hub_config/k8s/`` applies: the kustomization's resources
    (its only transformation, the config map's hashed name, leaves the NetworkPolicies alone)."""
    kustomization = load("kustomization.yaml")[0]
    return [doc for name in kustomization["resources"] for doc in load(name) if doc]


def policy(name: str) -> dict:
    found = [
        d for d in rendered() if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name
    ]
    assert len(found) == 1, name
    return found[0]["spec"]


def test_learner_pods_reach_only_the_hub_the_proxy_and_the_service(values):
    netpol = values["singleuser"]["networkPolicy"]
    assert netpol["enabled"] is True
    # z2jh's egress allowances: all off but the cluster's DNS (no other pod, node, metadata
    # server or internet; the chart's own rule lets learners reach the hub)
    allow = netpol["egressAllowRules"]
    assert allow == {
        "cloudMetadataServer": False,
        "dnsPortsCloudMetadataServer": False,
        "dnsPortsKubeSystemNamespace": True,
        "dnsPortsPrivateIPs": False,
        "nonPrivateIPs": False,
        "privateIPs": False,
    }
    # and one rule of ours: the nbcampus service's pods, on its port only
    [rule] = netpol["egress"]
    assert rule["to"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "nbcampus"}}}]
    assert rule["ports"] == [{"port": 10101, "protocol": "TCP"}]
    assert "ingress" not in netpol  # the chart's: the proxy and the hub only
    assert values["hub"]["networkPolicy"]["enabled"] is True
    assert values["proxy"]["chp"]["networkPolicy"]["enabled"] is True


def test_the_service_takes_connections_from_the_proxy_hub_and_learners_only():
    spec = policy("nbcampus")
    assert spec["policyTypes"] == ["Ingress"]
    [rule] = spec["ingress"]
    [peer] = rule["from"]
    [expression] = peer["podSelector"]["matchExpressions"]
    assert expression["key"] == "component"
    assert sorted(expression["values"]) == ["hub", "proxy", "singleuser-server"]
    assert rule["ports"] == [{"port": 10101, "protocol": "TCP"}]


def test_grading_workers_reach_nothing_but_their_scheduler():
    spec = policy("nbcampus-grading-workers")
    assert spec["podSelector"]["matchLabels"] == WORKER
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
    # in: the scheduler only
    assert spec["ingress"] == [{"from": [{"podSelector": {"matchLabels": SCHEDULER}}]}]
    # out: the scheduler's port, and the cluster's DNS to find it; no rule without a peer
    scheduler, dns = spec["egress"]
    assert scheduler == {
        "to": [{"podSelector": {"matchLabels": SCHEDULER}}],
        "ports": [{"port": 8786, "protocol": "TCP"}],
    }
    assert dns["to"] == [{"namespaceSelector": {"matchLabels": KUBE_DNS}}]
    assert {p["port"] for p in dns["ports"]} == {53}
    assert all(rule.get("to") for rule in spec["egress"])


def test_the_scheduler_admits_the_service_its_workers_and_the_operator_only():
    spec = policy("nbcampus-grading-scheduler")
    assert spec["podSelector"]["matchLabels"] == SCHEDULER
    comm, api = spec["ingress"]
    # the comm port (TLS): tasks from the service's pods, its workers connecting back
    peers = [p["podSelector"]["matchLabels"] for p in comm["from"]]
    assert peers == [{"app.kubernetes.io/name": "nbcampus"}, WORKER]
    assert all(set(p) == {"podSelector"} for p in comm["from"])  # this namespace only
    assert comm["ports"] == [{"port": 8786, "protocol": "TCP"}]
    # the HTTP API (retire workers when scaling down): the operator's pod in its namespace only
    assert api["from"] == [
        {
            "namespaceSelector": {"matchLabels": OPERATOR_NAMESPACE},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "dask-kubernetes-operator"}},
        }
    ]
    assert api["ports"] == [{"port": 8787, "protocol": "TCP"}]
    workers, dns = spec["egress"]
    assert workers == {"to": [{"podSelector": {"matchLabels": WORKER}}]}
    assert dns["to"] == [{"namespaceSelector": {"matchLabels": KUBE_DNS}}]


def test_the_operator_namespace_is_the_one_the_docs_install_it_in():
    text = (K8S / "grading-cluster.yaml").read_text()
    [command] = [
        line for line in text.splitlines() if "helm install dask-kubernetes-operator" in line
    ]
    assert f"-n {OPERATOR_NAMESPACE['kubernetes.io/metadata.name']} " in command


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("bwrap") or not shutil.which("setpriv"),
    reason="the sandbox needs root and bubblewrap",
)
def test_the_grading_workers_capabilities_are_enough_for_the_sandbox(tmp_path):
    """The worker container keeps only the capabilities grading-cluster.yaml adds: run the
    sandbox (probe, a job folder given to its uid, a file written inside and read back, the job
    removed) in a process whose bounding set holds only those, and without each in turn."""
    [container] = manifest_worker()["containers"]
    added = container["securityContext"]["capabilities"]["add"]

    def run(capabilities: list[str]) -> subprocess.CompletedProcess:
        bounding = ",".join(["-all", *(f"+{c.lower()}" for c in capabilities)])
        return subprocess.run(
            [
                "setpriv",
                f"--bounding-set={bounding}",
                "--inh-caps=-all",
                sys.executable,
                "-c",
                SANDBOX_JOB,
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = run(added)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["probe-ok", "written", "removed"]
    for capability in added:  # each one is needed
        assert run([c for c in added if c != capability]).returncode != 0, capability


SANDBOX_JOB = """
import shutil, subprocess, sys, tempfile
from pathlib import Path
from nbcampus_graders.sandbox import Sandbox
sandbox = Sandbox()
probe = sandbox.probe()
assert probe.available, probe.reason
print("probe-ok")
job = Path(tempfile.mkdtemp(dir=sys.argv[1]))
(job / "submitted.ipynb").write_text("{}")
sandbox.prepare(job)
code = "import os; os.mkdir('out'); open('out/r', 'w').write('ok'); os.chmod('out/r', 0o600)"
subprocess.run(sandbox.wrap([sys.executable, "-c", code], job), check=True, timeout=60)
assert (job / "out" / "r").read_text() == "ok"
print("written")
shutil.rmtree(job)
print("removed")
"""


def manifest_worker() -> dict:
    [cluster] = [d for d in rendered() if d["kind"] == "DaskCluster"]
    return cluster["spec"]["worker"]["spec"]


def test_the_hub_says_at_start_that_network_isolation_is_the_clusters(values, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="JupyterHub"):
        run_extra_config(values, monkeypatch)
    [message] = [r.getMessage() for r in caplog.records if "NetworkPolicies" in r.getMessage()]
    assert "singleuser.networkPolicy" in message and "cannot check" in message
