"""The manifests of hub_config/k8s/ as ``kubectl apply -k`` sends them, checked as the API server
checks them: core objects against the Kubernetes schemas of kubernetes-validate (strict: an
unknown field is an error, as kubectl's default field validation makes it), the DaskCluster
against the dask-kubernetes operator's CRD (vendored in tests/files/k8s/ with its licence, the
version hub_config/k8s/versions.env installs). Then what a school needs of them: one grading
process per worker pod, workers on their own nodes with the least privileges the sandbox
needs, resources on every container and a LimitRange that admits them.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from test_k8s_values import K8S, ROOT, load

VERSIONS = dict(
    line.split("=", 1)
    for line in (K8S / "versions.env").read_text().splitlines()
    if line and not line.startswith("#")
)
CRD_DIR = ROOT / "tests" / "files" / "k8s" / f"dask-kubernetes-{VERSIONS['DASK_OPERATOR_VERSION']}"
#: Kubernetes versions the core objects must pass (the oldest and newest the docs name)
KUBERNETES = ("1.32.0", "1.35.0")
APPARMOR = "container.apparmor.security.beta.kubernetes.io/worker"
#: what the sandbox needs of a worker's root (tests/test_isolation_k8s.py runs it with these only)
SANDBOX_CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "NET_ADMIN", "SETGID", "SETUID", "SYS_ADMIN"]


def rendered() -> list[dict]:
    """The objects ``kubectl apply -k hub_config/k8s/`` applies: the kustomization's resources
    and the ConfigMap its generator makes (kustomize adds a hash to the name)."""
    kustomization = load("kustomization.yaml")[0]
    docs = [doc for name in kustomization["resources"] for doc in load(name)]
    for generator in kustomization.get("configMapGenerator", []):
        data = {name: (K8S / name).read_text() for name in generator["files"]}
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": generator["name"]},
                "data": data,
            }
        )
    return docs


def one(kind: str, name: str) -> dict:
    [found] = [d for d in rendered() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def cluster() -> dict:
    return one("DaskCluster", "nbcampus-grading")


def structural(schema):
    """A CRD's structural schema as JSON Schema: fields not in ``properties`` are unknown (the
    API server rejects them under strict field validation, prunes them otherwise)."""
    if isinstance(schema, list):
        return [structural(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: structural(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
    return out


def crd_validator(name: str) -> jsonschema.Draft7Validator:
    crd = yaml.safe_load((CRD_DIR / name).read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["storage"]]
    schema = structural(version["schema"]["openAPIV3Schema"])
    # every object has these; the API server checks metadata itself
    schema["properties"].update(
        apiVersion={"const": f"{crd['spec']['group']}/{version['name']}"},
        kind={"const": crd["spec"]["names"]["kind"]},
        metadata={"type": "object"},
    )
    return jsonschema.Draft7Validator(schema)


def pods() -> dict[str, dict]:
    """Every pod template of the manifests, by a name saying where it is."""
    found = {}
    for doc in rendered():
        if doc["kind"] == "Deployment":
            found[doc["metadata"]["name"]] = doc["spec"]["template"]
        if doc["kind"] == "DaskCluster":
            for part in ("scheduler", "worker"):
                found[f"dask-{part}"] = doc["spec"][part]
    return found


def test_the_dask_cluster_passes_the_operators_crd():
    errors = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in crd_validator("daskcluster.yaml").iter_errors(cluster())
    ]
    assert errors == []
    # AppArmor is the pod annotation the operator copies onto worker pods (the field
    # securityContext.appArmorProfile is newer than the CRD's PodSpec)
    worker = cluster()["spec"]["worker"]
    assert worker["metadata"]["annotations"][APPARMOR] == "unconfined"


def test_the_crd_check_refuses_what_the_operator_refuses():
    bad = yaml.safe_load(yaml.safe_dump(cluster()))
    [container] = bad["spec"]["worker"]["spec"]["containers"]
    container["securityContext"]["appArmorProfile"] = {"type": "Unconfined"}
    errors = list(crd_validator("daskcluster.yaml").iter_errors(bad))
    assert [list(e.absolute_path) for e in errors] == [
        ["spec", "worker", "spec", "containers", 0, "securityContext"]
    ]
    assert "appArmorProfile" in errors[0].message


@pytest.mark.parametrize("version", KUBERNETES)
def test_core_objects_and_pod_templates_pass_strict_kubernetes_validation(version):
    for doc in rendered():
        if doc["apiVersion"].startswith("kubernetes.dask.org/"):
            continue
        kubernetes_validate.validate(doc, version, strict=True)
    # the operator makes Deployments of the DaskCluster's pod specs: they must be valid pods
    for name, template in pods().items():
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, **template.get("metadata", {})},
            "spec": template["spec"],
        }
        kubernetes_validate.validate(pod, version, strict=True)


def test_the_strict_validation_refuses_an_unknown_field():
    deployment = yaml.safe_load(yaml.safe_dump(one("Deployment", "nbcampus")))
    deployment["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="resource"):
        kubernetes_validate.validate(deployment, KUBERNETES[-1], strict=True)


def test_one_grading_process_per_worker_pod():
    [container] = cluster()["spec"]["worker"]["spec"]["containers"]
    args = container["args"]
    # the operator retires workers by their Deployment's name: one worker process per pod
    assert "--nworkers" not in args and "--nprocs" not in args
    assert args[args.index("--nthreads") + 1] == "1"  # nbgrader's autograde is not thread-safe
    from nbcampus_graders.sandbox import Sandbox

    limit = quantity(container["resources"]["limits"]["memory"])
    assert limit >= (Sandbox().memory_mb + 512) * 2**20  # one sandbox and the worker itself
    assert limit <= 3 * 2**30


def test_grading_workers_run_on_their_own_nodes_with_the_sandboxs_privileges_only():
    worker = cluster()["spec"]["worker"]
    spec = worker["spec"]
    assert spec["nodeSelector"] == {"nbcampus.org/pool": "grading"}
    assert {
        "key": "nbcampus.org/pool",
        "operator": "Equal",
        "value": "grading",
        "effect": "NoSchedule",
    } in spec["tolerations"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False
    [container] = spec["containers"]
    context = container["securityContext"]
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert sorted(context["capabilities"]["add"]) == SANDBOX_CAPABILITIES
    assert context.get("privileged", False) is False
    # nothing else runs on the grading nodes: no other pod tolerates their taint
    for name, template in pods().items():
        if name != "dask-worker":
            tolerations = template["spec"].get("tolerations", [])
            assert not [t for t in tolerations if t["key"] == "nbcampus.org/pool"], name


def test_every_other_pod_runs_as_a_user_with_no_capability():
    for name, template in pods().items():
        if name == "dask-worker":
            continue
        spec = template["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (``512Mi``, ``1G``, ``250m``, ``2``) as a number."""
    suffixes = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, value
    return float(match[1]) * suffixes.get(match[2], 1)


def containers_with_resources() -> dict[str, dict]:
    found = {}
    for name, template in pods().items():
        for container in template["spec"]["containers"]:
            found[f"{name}/{container['name']}"] = container.get("resources", {})
    values = load("values.yaml")[0]
    found["hub"] = values["hub"].get("resources", {})
    found["proxy"] = values["proxy"]["chp"].get("resources", {})
    found["proxy-https"] = values["proxy"].get("traefik", {}).get("resources", {})
    found["user-scheduler"] = values["scheduling"]["userScheduler"].get("resources", {})
    single = values["singleuser"]
    found["learner"] = {
        "requests": {"cpu": single["cpu"]["guarantee"], "memory": single["memory"]["guarantee"]},
        "limits": {"cpu": single["cpu"]["limit"], "memory": single["memory"]["limit"]},
    }
    return found


def test_every_container_requests_and_caps_its_resources():
    for name, resources in containers_with_resources().items():
        requests, limits = resources.get("requests", {}), resources.get("limits", {})
        assert {"cpu", "memory"} <= requests.keys(), name
        assert "memory" in limits, name
        assert quantity(requests["memory"]) <= quantity(limits["memory"]), name


def test_the_limit_range_gives_defaults_and_admits_every_container():
    [limit_range] = [d for d in rendered() if d["kind"] == "LimitRange"]
    [item] = [i for i in limit_range["spec"]["limits"] if i["type"] == "Container"]
    # a container the chart or the operator adds without resources gets these
    assert {"cpu", "memory"} <= item["defaultRequest"].keys()
    assert "memory" in item["default"]
    for name, resources in containers_with_resources().items():
        for resource, cap in item["max"].items():
            limit = resources["limits"].get(resource)
            assert limit is not None or resource in item["default"], (name, resource)
            if limit is not None:
                assert quantity(limit) <= quantity(cap), (name, resource, limit, cap)


def test_one_chart_version_everywhere():
    chart = VERSIONS["JUPYTERHUB_CHART_VERSION"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart)
    # the hub image is built on the chart's hub image of the same version
    dockerfile = (K8S / "Dockerfile").read_text()
    assert re.search(rf"^ARG HUB_IMAGE=quay\.io/jupyterhub/k8s-hub:{chart}$", dockerfile, re.M)
    assert set(re.findall(r"k8s-hub:([0-9][0-9.]*)", dockerfile)) == {chart}
    # and every helm command installs that version, read from versions.env
    for path in (K8S / "values.yaml", ROOT / "docs" / "kubernetes.md"):
        text = re.sub(r"\\\n#?\s*", " ", path.read_text())  # continuation lines joined
        commands = re.findall(r"helm (?:upgrade --install|install) [^\n]*", text)
        assert commands, path
        for command in commands:
            assert re.search(r'--version "\$(JUPYTERHUB_CHART|DASK_OPERATOR)_VERSION"', command), (
                path,
                command,
            )
    assert "hub_config/k8s/versions.env" in (ROOT / "docs" / "kubernetes.md").read_text()
    # the operator's version is the one whose CRD the tests hold
    assert (CRD_DIR / "daskcluster.yaml").is_file()
    assert (CRD_DIR / "LICENSE").is_file()


def test_versions_file_is_plain_shell_assignments():
    text = (K8S / "versions.env").read_text()
    for line in text.splitlines():
        assert not line or line.startswith("#") or re.fullmatch(r"[A-Z_]+=[0-9][0-9.]*", line)
    assert Path(K8S / "versions.env").stat().st_size < 1000
