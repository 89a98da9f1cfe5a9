"""The Kubernetes deployment (hub_config/k8s/): the hub configuration the z2jh values produce, the
learner pod KubeSpawner builds from it, and the manifests of the service and the grading cluster.

The hub's extraConfig runs as z2jh runs it (``exec`` in the chart's jupyterhub_config.py, with
``c`` and z2jh's helper functions in scope; the hub's extraEnv in the environment) against a
bare traitlets Config, or one already holding what the chart puts there before extraConfig.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "hub_config" / "k8s"
HUB_DB_URL = "postgresql://nbcampus_hub:from-the-secret@postgres:5432/jupyterhub"
SERVICE_TOKEN = "token-from-the-chart-secret"
#: what the Secrets the docs make hold, by (Secret, key)
SECRETS = {("nbcampus-db", "hub-url"): HUB_DB_URL, ("nbcampus-admins", "admin-users"): "maria,li"}


def load(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def manifest(name: str, kind: str, metadata_name: str) -> dict:
    found = [d for d in load(name) if d["kind"] == kind and d["metadata"]["name"] == metadata_name]
    assert len(found) == 1, f"{name}: one {kind} {metadata_name} expected"
    return found[0]


@pytest.fixture
def values() -> dict:
    return load("values.yaml")[0]


def z2jh_get_config(values: dict):
    """z2jh's ``get_config("a.b.c", default)`` over the values."""

    def get_config(key: str, default=None):
        node = values
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    return get_config


def run_extra_config(values: dict, monkeypatch, c: Config | None = None) -> Config:
    """Run the values' hub.extraConfig the way the chart's hub does."""
    for name, value in values["hub"]["extraEnv"].items():
        if isinstance(value, dict):  # a secretKeyRef: Kubernetes puts the Secret's value there
            ref = value["valueFrom"]["secretKeyRef"]
            value = SECRETS[ref["name"], ref["key"]]
        monkeypatch.setenv(name, str(value))
    # the hub image holds this checkout at /opt/nbcampus: read it from here
    monkeypatch.setenv("NBCAMPUS_ROOT", str(ROOT))
    c = c if c is not None else Config()
    scope = {
        "c": c,
        "get_config": z2jh_get_config(values),
        "get_secret_value": lambda key, default=None: default,
    }
    for key, code in sorted(values["hub"]["extraConfig"].items()):
        exec(compile(code, f"values.yaml hub.extraConfig.{key}", "exec"), scope)
    return c


def test_extra_config_spawns_learner_pods_and_keeps_hub_addresses_to_the_chart(values, monkeypatch):
    c = run_extra_config(values, monkeypatch)
    assert c.JupyterHub.spawner_class == "nbcampus.hub.kubespawner.CampusKubeSpawner"
    from kubespawner import KubeSpawner

    from nbcampus.hub.kubespawner import CampusKubeSpawner

    assert issubclass(CampusKubeSpawner, KubeSpawner)
    # the chart owns addresses, proxy, cookie secret, the learner command: nothing local leaks in
    for name in ("bind_url", "hub_ip", "cookie_secret_file", "pid_file", "cleanup_servers"):
        assert name not in c.JupyterHub, name
    assert "ConfigurableHTTPProxy" not in c
    assert "cmd" not in c.Spawner and "SimpleLocalProcessSpawner" not in c
    # the hub's database is PostgreSQL, its URL read from the Secret through the environment
    assert c.JupyterHub.db_url == HUB_DB_URL
    assert values["hub"]["db"]["type"] == "postgres"
    assert "url" not in values["hub"]["db"] and "password" not in values["hub"]["db"]


def test_service_entry_points_to_the_nbcampus_kubernetes_service(values, monkeypatch):
    c = run_extra_config(values, monkeypatch)
    [entry] = [s for s in c.JupyterHub.services if s["name"] == "nbcampus"]
    service = manifest("nbcampus-service.yaml", "Service", "nbcampus")
    port = service["spec"]["ports"][0]["port"]
    assert entry["url"] == f"http://{service['metadata']['name']}:{port}"
    assert "command" not in entry  # a Deployment of its own, not started by the hub
    assert entry["oauth_no_confirm"] is True
    assert "custom:nbcampus:learn" in entry["oauth_client_allowed_scopes"]
    # learners' servers reach it directly, through the same Service
    assert c.CampusKubeSpawner.service_api_url == f"{entry['url']}/services/nbcampus/api/"
    # the Deployment's pods are what the Service selects, 2+ of them, reachable from learner pods
    deployment = manifest("nbcampus-service.yaml", "Deployment", "nbcampus")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["replicas"] >= 2
    [rule] = values["singleuser"]["networkPolicy"]["egress"]
    assert rule["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()
    assert rule["ports"][0]["port"] == port
    assert labels["hub.jupyter.org/network-access-hub"] == "true"  # it calls the hub API


def test_roles_and_scopes_are_least_privilege(values, monkeypatch):
    c = run_extra_config(values, monkeypatch)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["nbcampus-service"]["services"] == ["nbcampus"]
    assert sorted(roles["nbcampus-service"]["scopes"]) == ["read:users:groups", "read:users:name"]
    assert "custom:nbcampus:learn" in roles["user"]["scopes"]
    assert "access:services!service=nbcampus" in roles["user"]["scopes"]
    # staff roles per course come from the course folders in the image
    assert roles["nbcampus-instructor-python-data"] == {
        "name": "nbcampus-instructor-python-data",
        "scopes": ["custom:nbcampus:teach:python-data"],
        "users": ["instructor"],
    }
    assert "custom:nbcampus:teach:python-data" in c.JupyterHub.custom_scopes
    assert "custom:nbcampus:teach:python-data" in c.Spawner.server_token_scopes


def test_extra_config_keeps_what_the_chart_configured(values, monkeypatch):
    # before extraConfig the chart has added hub.services (with the generated API token) and the
    # idle culler's service and role
    c = Config()
    c.JupyterHub.services = [
        {"name": "nbcampus", "api_token": SERVICE_TOKEN},
        {"name": "jupyterhub-idle-culler", "command": ["python3", "-m", "jupyterhub_idle_culler"]},
    ]
    c.JupyterHub.load_roles = [
        {"name": "jupyterhub-idle-culler", "scopes": ["list:users"], "services": ["x"]}
    ]
    run_extra_config(values, monkeypatch, c)
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert len(c.JupyterHub.services) == 2
    assert services["nbcampus"]["api_token"] == SERVICE_TOKEN
    assert services["nbcampus"]["url"] == "http://nbcampus:10101"
    assert "jupyterhub-idle-culler" in services
    assert "jupyterhub-idle-culler" in {r["name"] for r in c.JupyterHub.load_roles}
    # and running it again changes nothing (set, never append)
    before = (list(c.JupyterHub.services), list(c.JupyterHub.load_roles))
    run_extra_config(values, monkeypatch, c)
    assert (list(c.JupyterHub.services), list(c.JupyterHub.load_roles)) == before


def z2jh_singleuser(values: dict) -> Config:
    """The KubeSpawner settings the chart makes of the ``singleuser`` keys these values use
    (z2jh's documented mapping: memory.limit -> mem_limit, cpu.limit -> cpu_limit, ...)."""
    single = values["singleuser"]
    c = Config()
    c.KubeSpawner.image = f"{single['image']['name']}:{single['image']['tag']}"
    c.KubeSpawner.cmd = single["cmd"]
    c.KubeSpawner.default_url = single["defaultUrl"]
    c.KubeSpawner.cpu_limit = float(single["cpu"]["limit"])
    c.KubeSpawner.cpu_guarantee = float(single["cpu"]["guarantee"])
    c.KubeSpawner.mem_limit = single["memory"]["limit"]
    c.KubeSpawner.mem_guarantee = single["memory"]["guarantee"]
    return c


KUBECONFIG = """apiVersion: v1
kind: Config
current-context: test
clusters: [{name: test, cluster: {server: "https://127.0.0.1:9"}}]
contexts: [{name: test, context: {cluster: test, user: test, namespace: nbcampus}}]
users: [{name: test, user: {token: unused}}]
"""


async def learner_pod(c: Config, tmp_path, monkeypatch, user) -> tuple[dict, object]:
    # KubeSpawner loads a kube config when made; no API call is needed to build a pod manifest
    import kubernetes_asyncio.config.kube_config as kube_config

    (tmp_path / "kubeconfig").write_text(KUBECONFIG)
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))
    from nbcampus.hub.kubespawner import CampusKubeSpawner

    spawner = CampusKubeSpawner(_mock=True, config=c, user=user)
    return spawner.get_env(), await spawner.get_pod_manifest()


def test_learner_pod_has_limits_service_and_learner_config(values, monkeypatch, tmp_path):
    c = z2jh_singleuser(values)
    run_extra_config(values, monkeypatch, c)
    learner = SimpleNamespace(
        name="ana", id=1, url="/user/ana/", admin=False, roles=[SimpleNamespace(name="user")]
    )
    env, pod = asyncio.run(learner_pod(c, tmp_path, monkeypatch, learner))
    [container] = pod.spec.containers
    assert container.resources.limits == {"cpu": 1.0, "memory": 1024**3}
    assert container.resources.requests == {"cpu": 0.05, "memory": 256 * 1024**2}
    assert container.args[:3] == ["python", "-m", "nbcampus.singleuser"]
    assert env["NBCAMPUS_API_URL"] == "http://nbcampus:10101/services/nbcampus/api/"
    assert env["NBCAMPUS_PROVISION_LESSONS"] == "1"  # the server fetches its own lessons
    learner_dir, common_dir = env["JUPYTER_CONFIG_PATH"].split(":")[:2]
    assert learner_dir.endswith("hub_config/singleuser/learner")
    assert common_dir.endswith("hub_config/singleuser")
    staff = SimpleNamespace(
        name="instructor",
        id=2,
        url="/user/instructor/",
        admin=False,
        roles=[SimpleNamespace(name="nbcampus-instructor-python-data")],
    )
    env, _ = asyncio.run(learner_pod(c, tmp_path, monkeypatch, staff))
    assert not env["JUPYTER_CONFIG_PATH"].split(":")[0].endswith("learner")  # formgrader on


def test_service_deployment_reads_secrets_and_shares_a_read_write_many_volume(values):
    deployment = manifest("nbcampus-service.yaml", "Deployment", "nbcampus")
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "hub",
        "key": "hub.services.nbcampus.apiToken",  # the chart makes it for hub.services.nbcampus
    }
    assert "nbcampus" in values["hub"]["services"]
    assert env["NBCAMPUS_DB_URL"]["valueFrom"]["secretKeyRef"]["name"] == "nbcampus-db"
    # no credential written into the repository's manifests
    for name in ("values.yaml", "nbcampus-service.yaml", "grading-cluster.yaml"):
        assert not re.search(r"postgres(ql)?(\+\w+)?://", (K8S / name).read_text()), name
    # the exchange lives under the state dir: one ReadWriteMany volume for every replica
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert mounts["state"] == env["NBCAMPUS_STATE_DIR"]["value"]
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    pvc = manifest("nbcampus-service.yaml", "PersistentVolumeClaim", claim)
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    # the service config file is the ConfigMap kustomize makes from service_config.py
    config_path = Path(env["NBCAMPUS_SERVICE_CONFIG"]["value"])
    assert mounts["config"] == str(config_path.parent)
    kustomization = load("kustomization.yaml")[0]
    [generator] = kustomization["configMapGenerator"]
    assert generator["name"] == volumes["config"]["configMap"]["name"]
    assert generator["files"] == [config_path.name]
    assert set(kustomization["resources"]) == {
        "nbcampus-service.yaml",
        "grading-cluster.yaml",
        "limits.yaml",
    }


def test_service_grades_on_the_dask_cluster_of_the_manifest():
    from nbcampus.school.grading.api import GradingWorker

    config = PyFileConfigLoader("service_config.py", path=str(K8S)).load_config()
    assert config.CampusService.run_grader is True
    assert config.CampusService.ip == "0.0.0.0"
    worker = GradingWorker(None, "/tmp", config=config)  # the traits validate
    assert worker.backend == "dask"
    address = urlparse(worker.scheduler_address)
    cluster = manifest("grading-cluster.yaml", "DaskCluster", "nbcampus-grading")
    # the dask-kubernetes operator names the scheduler's Service <cluster>-scheduler
    assert address.hostname == f"{cluster['metadata']['name']}-scheduler"
    ports = {p["name"]: p["port"] for p in cluster["spec"]["scheduler"]["service"]["ports"]}
    assert address.port == ports["tcp-comm"]
    # workers get no Kubernetes token, and no network but their cluster's
    policy = manifest("grading-cluster.yaml", "NetworkPolicy", "nbcampus-grading-workers")
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert cluster["spec"]["worker"]["spec"]["automountServiceAccountToken"] is False


def test_admins_come_from_a_secret_and_sign_up_refuses_their_names(values, monkeypatch):
    env = values["hub"]["extraEnv"]
    assert env["NBCAMPUS_ADMIN_USERS"]["valueFrom"]["secretKeyRef"] == {
        "name": "nbcampus-admins",
        "key": "admin-users",
    }
    c = Config()  # the chart has added the idle culler's service before extraConfig
    c.JupyterHub.services = [{"name": "jupyterhub-idle-culler", "command": ["python3"]}]
    run_extra_config(values, monkeypatch, c)
    assert c.Authenticator.admin_users == {"maria", "li"}
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["nbcampus-admin"]["users"] == ["li", "maria"]
    # nobody can sign up as an admin, as a service, or as a name that looks like the hub's
    reserved = set(c.CampusAuthenticator.reserved_usernames)
    assert {"maria", "li", "admin", "root", "hub", "nbcampus", "jupyterhub-idle-culler"} <= reserved
    # the admins' accounts (passwords) come from the same Secret, mounted read-only
    accounts = Path(env["NBCAMPUS_ACCOUNTS_FILE"])
    mounts = {m["mountPath"]: m for m in values["hub"]["extraVolumeMounts"]}
    mount = mounts[str(accounts.parent)]
    assert mount["readOnly"] is True
    [volume] = [v for v in values["hub"]["extraVolumes"] if v["name"] == mount["name"]]
    assert volume["secret"]["secretName"] == "nbcampus-admins"
    assert {"key": "accounts.json", "path": accounts.name} in volume["secret"]["items"]
    assert c.CampusAuthenticator.accounts_file == str(accounts)


def test_no_admin_by_default_on_kubernetes(monkeypatch):
    from nbcampus.hub.configurer import configure_hub
    from nbcampus.hub.settings import CampusSettings

    monkeypatch.delenv("NBCAMPUS_ADMIN_USERS", raising=False)
    monkeypatch.setenv("NBCAMPUS_ROOT", str(ROOT))
    c = configure_hub(Config(), CampusSettings(platform="kubernetes"))
    assert c.Authenticator.admin_users == set()
    assert "admin" in c.CampusAuthenticator.reserved_usernames
    # the one-machine demo keeps its seeded admin account
    c = configure_hub(Config(), CampusSettings(platform="local"))
    assert c.Authenticator.admin_users == {"admin"}


def test_the_service_knows_the_schools_public_https_address(values, monkeypatch):
    https = values["proxy"]["https"]
    assert https["enabled"] is True
    [host] = https["hosts"]
    assert https["type"] in ("letsencrypt", "secret")
    deployment = manifest("nbcampus-service.yaml", "Deployment", "nbcampus")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["NBCAMPUS_PUBLIC_URL"] == f"https://{host}/"
    # certificates' QR codes and badge ids point there, not at 127.0.0.1
    for name, value in env.items():
        if value is not None:
            monkeypatch.setenv(name, value)
    from nbcampus.school.certificates.api import CertificateSettings

    settings = CertificateSettings()
    assert settings.verify_url("C-1") == f"https://{host}/services/nbcampus/verify/C-1"
    assert urlparse(settings.issuer_id).hostname == host
    assert env["NBCAMPUS_ISSUER_NAME"]
