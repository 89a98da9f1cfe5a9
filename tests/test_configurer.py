"""The hub configuration nbcampus settings produce, checked on a bare traitlets Config."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.settings import CampusSettings


def _settings(tmp_path, **overrides) -> CampusSettings:
    return CampusSettings(state_dir=str(tmp_path / "var"), **overrides)


def test_binds_loopback_and_keeps_state_under_state_dir(tmp_path):
    c = configure_hub(Config(), _settings(tmp_path, port=8123))
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    state = tmp_path / "var"
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert Path(c.JupyterHub.cookie_secret_file).parent == state
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(state / "homes" / "{username}")


def test_port_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NBCAMPUS_PORT", "9321")
    c = configure_hub(Config(), _settings(tmp_path))
    assert c.JupyterHub.bind_url.endswith(":9321")


def test_signup_authenticator_and_lab_spawner(tmp_path):
    c = configure_hub(Config(), _settings(tmp_path))
    assert c.JupyterHub.authenticator_class == "nbcampus.hub.authenticator.CampusAuthenticator"
    assert c.NativeAuthenticator.open_signup is True
    assert c.NativeAuthenticator.minimum_password_length >= 8
    assert c.Authenticator.admin_users == {"admin"}
    assert c.JupyterHub.spawner_class == "nbcampus.hub.spawner.CampusSpawner"
    assert c.Spawner.default_url == "/lab"
    assert c.Spawner.cmd[-2:] == ["-m", "nbcampus.singleuser"]


def test_learner_config_turns_formgrader_off(tmp_path):
    import json

    c = configure_hub(Config(), _settings(tmp_path))
    folder = Path(c.CampusSpawner.learner_config_dir)
    assert folder.parent == Path(c.CampusSpawner.common_config_dir)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert (
        server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    )
    lab = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert lab["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True


def test_config_only_sets_never_appends(tmp_path):
    # applying the settings twice gives the same config: nothing accumulates
    settings = _settings(tmp_path, allow_root=True)
    once = configure_hub(Config(), settings)
    twice = configure_hub(configure_hub(Config(), settings), settings)
    assert once == twice
    assert once.Spawner.args == ["--allow-root"]
    assert configure_hub(Config(), _settings(tmp_path, allow_root=False)).Spawner.args == []


def test_thin_config_file_uses_the_function(tmp_path, monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("NBCAMPUS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NBCAMPUS_PORT", "8765")
    root = Path(__file__).resolve().parents[1]
    loader = PyFileConfigLoader("jupyterhub_config.py", str(root / "hub_config"))
    c = loader.load_config()
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8765"
    assert c.JupyterHub.db_url.startswith(f"sqlite:///{tmp_path / 'state'}")
