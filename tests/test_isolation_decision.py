"""Whether the hub isolates learners, runs them shared or refuses to start: the decision and the
configuration it produces, on a bare traitlets Config (like tests/test_configurer.py)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from traitlets.config import Config

from nbcampus.bwrap import Probe
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.isolation import (
    IsolationUnavailable,
    LearnerIsolation,
    NetworkCheck,
    apply_isolation,
    require_learner_isolation,
    school_ports,
)
from nbcampus.hub.loopback import reachable_loopback_ports
from nbcampus.hub.settings import CampusSettings
from nbcampus.workspace import unpack_new_files

WORKS = Probe(True, details=["bwrap: /usr/bin/bwrap"])
MISSING = Probe(False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap")


def _hub(tmp_path, accounts: int = 5, signup: bool = True, **settings):
    settings = CampusSettings(state_dir=str(tmp_path / "var"), **settings)
    c = configure_hub(Config(), settings, courses={})
    c.NativeAuthenticator.open_signup = signup
    accounts_file = tmp_path / "var" / "accounts.json"
    accounts_file.parent.mkdir(parents=True, exist_ok=True)
    accounts_file.write_text(json.dumps([{"username": f"u{i}"} for i in range(accounts)]))
    return c, settings


def test_isolates_where_the_probe_passes(tmp_path):
    c, settings = _hub(tmp_path)
    decision = apply_isolation(c, settings, WORKS)
    assert decision.isolate and not decision.warnings
    # the spawner keeps its default (bubblewrap): nothing set
    assert "mode" not in c.LearnerIsolation


def test_refuses_a_hub_for_several_people_without_isolation(tmp_path):
    c, settings = _hub(tmp_path)
    with pytest.raises(IsolationUnavailable) as refused:
        apply_isolation(c, settings, MISSING)
    message = str(refused.value)
    assert "NOT ISOLATED" in message and "apt-get install bubblewrap" in message
    assert "unsafe_single_user_mode" in message and "NBCAMPUS_UNSAFE_SHARED_SERVERS" in message
    assert "mode" not in c.LearnerIsolation


@pytest.mark.parametrize("accounts, signup", [(2, False), (1, True)])
def test_several_people_means_open_signup_or_several_accounts(tmp_path, accounts, signup):
    c, settings = _hub(tmp_path, accounts=accounts, signup=signup)
    with pytest.raises(IsolationUnavailable):
        apply_isolation(c, settings, MISSING)


def test_one_account_without_signup_runs_shared_with_a_warning(tmp_path):
    c, settings = _hub(tmp_path, accounts=1, signup=False)
    decision = apply_isolation(c, settings, MISSING)
    assert not decision.isolate and "NOT ISOLATED" in decision.warnings[0]
    assert c.LearnerIsolation.mode == "none"


def test_unsafe_single_user_mode_runs_shared_loudly(tmp_path):
    c, settings = _hub(tmp_path, unsafe_single_user_mode=True)
    decision = apply_isolation(c, settings, MISSING)
    assert not decision.isolate
    assert "unsafe_single_user_mode" in decision.warnings[0]
    assert c.LearnerIsolation.mode == "none"
    # applying it twice changes nothing more
    assert apply_isolation(c, settings, MISSING) == decision


def test_unsafe_mode_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NBCAMPUS_UNSAFE_SHARED_SERVERS", "1")
    c, settings = _hub(tmp_path)
    assert settings.unsafe_single_user_mode is True
    assert apply_isolation(c, settings, MISSING).isolate is False


def test_mode_none_is_refused_like_a_missing_bwrap(tmp_path, monkeypatch):
    monkeypatch.setenv("NBCAMPUS_LEARNER_ISOLATION", "none")
    isolation = LearnerIsolation()
    assert isolation.mode == "none"
    probe = isolation.probe()
    assert not probe.available and "'none'" in probe.reason
    c, settings = _hub(tmp_path)
    with pytest.raises(IsolationUnavailable):
        apply_isolation(c, settings, probe)


def test_the_hub_exits_when_bwrap_is_missing(tmp_path):
    # a real probe, with a bubblewrap that is not there
    c, settings = _hub(tmp_path)
    c.LearnerIsolation.bwrap = str(tmp_path / "no-such-bwrap")
    with pytest.raises(SystemExit) as exited:
        require_learner_isolation(c, settings)
    assert "not installed" in str(exited.value)

    c, settings = _hub(tmp_path, unsafe_single_user_mode=True)
    c.LearnerIsolation.bwrap = str(tmp_path / "no-such-bwrap")
    # servers would share the host's network: what answers on loopback must be accepted
    c.LearnerIsolation.accepted_loopback_ports = reachable_loopback_ports()
    decision = require_learner_isolation(c, settings)
    assert decision.isolate is False
    assert "SHARE THE HOST'S NETWORK" in decision.warnings[-1]
    assert c.LearnerIsolation.mode == "none"


def test_the_jail_binds_the_venv_not_the_checkout(tmp_path):
    import sys

    from nbcampus.hub.isolation import PACKAGE_DIR

    c, settings = _hub(tmp_path)
    home = tmp_path / "var" / "homes" / "ana"
    jail = LearnerIsolation(config=c).jail(home, 2_000_001, [settings.singleuser_config_dir])
    assert sys.prefix in jail.readonly and PACKAGE_DIR in jail.readonly
    assert settings.singleuser_config_dir in jail.readonly
    assert jail.writable == [str(home)]
    for hidden in (settings.root_dir, settings.courses_dir, settings.state_dir):
        assert hidden not in jail.readonly + jail.writable
    command = jail.command(["server"])
    assert "--unshare-net" in command  # a network of its own; the hub relays what it needs
    assert "--unshare-pid" in command and "--nproc=256" in command
    assert command[-2:] == ["--", "server"]


def test_lessons_never_follow_a_learners_link_out_of_the_home(tmp_path):
    home = tmp_path / "home"
    outside = tmp_path / "outside"
    (home / "python-data").mkdir(parents=True)
    outside.mkdir()
    (home / "python-data" / "lessons").symlink_to(outside)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("lessons/one.ipynb", "{}")
        z.writestr("notes/two.md", "hi")
    written = unpack_new_files(buffer.getvalue(), home / "python-data", within=home)
    assert written == [home / "python-data" / "notes" / "two.md"]
    assert list(outside.iterdir()) == []


def test_doctor_reports_learner_isolation():
    import subprocess
    import sys

    def doctor(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nbcampus", "doctor", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    ok = doctor()
    assert ok.returncode == 0 and "learner isolation: OK" in ok.stdout, ok.stdout
    assert "learner network: OK" in ok.stdout, ok.stdout
    # sharing the host's network, on this machine with its databases on loopback: loudly, and 1
    shared = doctor("--LearnerIsolation.network=shared")
    assert shared.returncode == 1
    assert "learner network: SHARED - LEARNER SERVERS SHARE THE HOST'S NETWORK" in shared.stdout
    assert "5432" in shared.stdout and "accepted_loopback_ports" in shared.stdout
    # on Kubernetes the NetworkPolicies isolate learners' pods: said, not checked
    kube = doctor("--CampusSettings.platform=kubernetes")
    assert "learner network: NOT CHECKED HERE" in kube.stdout
    assert "singleuser.networkPolicy" in kube.stdout
    bad = doctor("--LearnerIsolation.bwrap=/nonexistent/bwrap")
    assert bad.returncode == 1
    assert "learner isolation: UNAVAILABLE - bubblewrap (bwrap) is not installed" in bad.stdout
    assert "unsafe_single_user_mode" in bad.stdout
    assert "grading sandbox: OK" in bad.stdout


SHARED = NetworkCheck(False, "LearnerIsolation.network is 'shared'", reachable=[5432, 6379])


def test_a_shared_network_with_open_loopback_ports_is_refused_for_several_people(tmp_path):
    c, settings = _hub(tmp_path)
    with pytest.raises(IsolationUnavailable) as refused:
        apply_isolation(c, settings, WORKS, SHARED)
    message = str(refused.value)
    assert "SHARE THE HOST'S NETWORK" in message and "5432, 6379" in message
    assert "accepted_loopback_ports = [5432, 6379]" in message
    assert "NBCAMPUS_ACCEPTED_LOOPBACK_PORTS=5432,6379" in message
    # also when the jail is missing and the admin accepted unsafe shared servers
    c, settings = _hub(tmp_path, unsafe_single_user_mode=True)
    with pytest.raises(IsolationUnavailable):
        apply_isolation(c, settings, MISSING, SHARED)


def test_accepted_loopback_ports_let_it_start_loudly(tmp_path):
    c, settings = _hub(tmp_path)
    accepted = NetworkCheck(False, SHARED.reason, SHARED.reachable, accepted=[5432, 6379])
    decision = apply_isolation(c, settings, WORKS, accepted)
    assert decision.isolate and "accepted as risks: 5432, 6379" in decision.warnings[0]
    assert c.LearnerIsolation.network == "shared"
    # one port not accepted is enough to refuse
    partly = NetworkCheck(False, SHARED.reason, SHARED.reachable, accepted=[5432])
    with pytest.raises(IsolationUnavailable, match="loopback ports 6379 accept"):
        apply_isolation(c, settings, WORKS, partly)


def test_a_failed_scan_is_refused_like_open_ports(tmp_path):
    c, settings = _hub(tmp_path)
    failed = NetworkCheck(False, SHARED.reason, scan_error="loopback scan failed: boom")
    with pytest.raises(IsolationUnavailable, match="scan failed"):
        apply_isolation(c, settings, WORKS, failed)


def test_one_person_with_a_shared_network_runs_with_a_warning(tmp_path):
    c, settings = _hub(tmp_path, accounts=1, signup=False)
    decision = apply_isolation(c, settings, WORKS, SHARED)
    assert decision.isolate and "SHARE THE HOST'S NETWORK" in decision.warnings[0]


def test_accepted_ports_from_the_environment(monkeypatch):
    monkeypatch.setenv("NBCAMPUS_ACCEPTED_LOOPBACK_PORTS", "5432, 6379")
    assert LearnerIsolation().accepted_loopback_ports == [5432, 6379]
    monkeypatch.setenv("NBCAMPUS_LEARNER_NETWORK", "shared")
    assert LearnerIsolation().network == "shared"


def test_the_loopback_scan_sees_a_listener_from_a_shared_jail_not_from_an_own_network(tmp_path):
    import socket

    c, settings = _hub(tmp_path)
    config_dirs = [settings.singleuser_config_dir]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        isolation = LearnerIsolation(config=c)
        probe = isolation.probe(config_dirs)
        assert probe.available, probe.reason
        assert "network: namespace" in probe.details
        own = isolation.check_network(probe, config_dirs, school_ports(settings))
        assert own.isolated and not own.reachable
        # what a jail with a network of its own reaches on loopback: nothing
        jail = isolation.jail(tmp_path, isolation.uid(0), config_dirs)
        assert reachable_loopback_ports(jail.command([])) == []

        c.LearnerIsolation.network = "shared"
        shared = LearnerIsolation(config=c)
        check = shared.check_network(shared.probe(config_dirs), config_dirs, {port + 1})
        assert not check.isolated and port in check.reachable
        # the school's own ports are not counted
        check = shared.check_network(shared.probe(config_dirs), config_dirs, {port})
        assert port not in check.reachable


@pytest.mark.hub
def test_a_real_hub_sharing_the_hosts_network_does_not_start_beside_open_ports(tmp_path):
    from nbcampus.testing import start_hub

    state = tmp_path / "var"
    state.mkdir()
    people = [{"username": u, "password": "long-enough-1"} for u in ("ana", "bo")]
    (state / "accounts.json").write_text(json.dumps(people))
    # this machine's PostgreSQL (and more) answer on loopback
    with pytest.raises(RuntimeError) as exited:
        start_hub(state, tmp_path / "hub.log", env_extra={"NBCAMPUS_LEARNER_NETWORK": "shared"})
    log = str(exited.value)
    assert "LEARNER SERVERS SHARE THE HOST'S NETWORK" in log
    assert "Refusing to start" in log and "5432" in log
