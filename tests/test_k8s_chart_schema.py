"""The school's Helm values against the pinned Zero to JupyterHub chart's own values schema, merged
over the chart's defaults as helm merges them: what `helm install --version <pinned>` checks
before it renders anything (no helm, no cluster, no network)."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "hub_config" / "k8s"


def pinned_chart_version() -> str:
    for line in (K8S / "versions.env").read_text().splitlines():
        if line.startswith("JUPYTERHUB_CHART_VERSION="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("versions.env names no JUPYTERHUB_CHART_VERSION")


CHART = ROOT / "tests" / "files" / "k8s" / f"z2jh-{pinned_chart_version()}"


def helm_merge(defaults: dict, values: dict) -> dict:
    """helm's coalescing: maps merge key by key, anything else replaces, null removes a default."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def errors_of(values: dict) -> list[str]:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in validator.iter_errors(helm_merge(defaults, values))
    ]


@pytest.fixture
def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text())


def test_the_schema_of_the_pinned_chart_is_the_one_checked():
    assert CHART.is_dir(), f"no values schema vendored for chart {pinned_chart_version()}: {CHART}"
    assert (CHART / "LICENSE").read_text().startswith("BSD 3-Clause License")


def test_the_values_pass_the_pinned_charts_schema(values):
    assert errors_of(values) == []


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda v: v["hub"].__setitem__("extraEnvv", {}), "hub"),  # a misspelt key
        (lambda v: v["singleuser"].__setitem__("cpu", {"limit": "two"}), "singleuser.cpu.limit"),
        (lambda v: v["proxy"].__setitem__("https", {"enabled": "yes"}), "proxy.https.enabled"),
    ],
)
def test_the_check_refuses_what_helm_would_refuse(values, change, where):
    change(values)
    found = errors_of(values)
    assert found and any(e.startswith(where) for e in found), found
