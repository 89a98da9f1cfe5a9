"""Learner and grading isolation on Kubernetes: the NetworkPolicies of hub_config/k8s/ (the
kustomization's manifests as applied) and of the z2jh values, and the hub's start saying what
it cannot check."""

from __future__ import annotations

import logging

import pytest
from test_k8s_values import load, run_extra_config

SCHEDULER = {"dask.org/cluster-name": "nbcampus-grading", "dask.org/component": "scheduler"}
WORKER = {"dask.org/cluster-name": "nbcampus-grading", "dask.org/component": "worker"}
KUBE_DNS = {"kubernetes.io/metadata.name": "kube-system"}


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


def test_the_scheduler_takes_tasks_from_the_service_and_reaches_its_workers_only():
    spec = policy("nbcampus-grading-scheduler")
    assert spec["podSelector"]["matchLabels"] == SCHEDULER
    [rule] = spec["ingress"]
    peers = [p["podSelector"]["matchLabels"] for p in rule["from"]]
    assert peers == [{"app.kubernetes.io/name": "nbcampus"}, WORKER]
    assert rule["ports"] == [{"port": 8786, "protocol": "TCP"}]
    workers, dns = spec["egress"]
    assert workers == {"to": [{"podSelector": {"matchLabels": WORKER}}]}
    assert dns["to"] == [{"namespaceSelector": {"matchLabels": KUBE_DNS}}]


def test_the_hub_says_at_start_that_network_isolation_is_the_clusters(values, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="JupyterHub"):
        run_extra_config(values, monkeypatch)
    [message] = [r.getMessage() for r in caplog.records if "NetworkPolicies" in r.getMessage()]
    assert "singleuser.networkPolicy" in message and "cannot check" in message
