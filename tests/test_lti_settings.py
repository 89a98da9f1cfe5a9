"""LTI settings without a hub: the platforms file's checks, the hub configuration it gives
(frames, cross-site cookies, staff roles of LMS groups), role mapping, LMS account names."""

from __future__ import annotations

import json

import pytest
from traitlets.config import Config

from nbcampus.course.loader import load_course
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.lti import is_lti_username
from nbcampus.hub.settings import CampusSettings
from nbcampus.school.lti.api import PlatformSettingsError, load_platforms, role_of
from nbcampus.testing import write_course

GOOD = {
    "issuer": "https://moodle.uni.example",
    "client_id": "abc",
    "deployment_ids": ["1"],
    "auth_login_url": "https://login.uni.example/auth",
    "auth_token_url": "https://moodle.uni.example/token",
    "key_set_url": "https://moodle.uni.example/certs",
}


def write(tmp_path, data) -> str:
    path = tmp_path / "platforms.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_several_platforms_load(tmp_path):
    other = {**GOOD, "issuer": "https://canvas.example", "username_prefix": "canvas"}
    platforms = load_platforms(write(tmp_path, [GOOD, other]))
    assert [p.issuer for p in platforms] == [GOOD["issuer"], "https://canvas.example"]
    assert platforms[0].username_prefix == "lti" and platforms[0].courses == ()
    assert load_platforms("") == []


@pytest.mark.parametrize(
    "data, words",
    [
        ({"a": 1}, "must hold a list of platforms"),
        ([{**GOOD, "client_id": ""}], "platform 1: missing client_id"),
        ([GOOD, GOOD], "platform 2: issuer and client_id registered twice"),
        ([{**GOOD, "username_prefix": "Admin"}], "username_prefix must be"),
        ([{**GOOD, "deployment_ids": "1"}], "deployment_ids must be a list"),
    ],
)
def test_a_wrong_platforms_file_says_where(tmp_path, data, words):
    path = write(tmp_path, data)
    with pytest.raises(PlatformSettingsError, match=words) as e:
        load_platforms(path)
    assert path in e.value.message
    (tmp_path / "platforms.json").write_text("{not json")
    with pytest.raises(PlatformSettingsError, match="not a readable JSON file"):
        load_platforms(path)


def test_hub_lets_platforms_frame_it_and_cookies_cross_sites_over_https(tmp_path, monkeypatch):
    monkeypatch.setenv("NBCAMPUS_LTI_PLATFORMS", write(tmp_path, [GOOD]))
    monkeypatch.setenv("NBCAMPUS_PUBLIC_URL", "https://campus.example/")
    course = load_course(write_course(tmp_path / "courses", "c1"))
    c = configure_hub(Config(), CampusSettings(state_dir=str(tmp_path / "var")), {"c1": course})
    origins = "https://login.uni.example https://moodle.uni.example"
    assert c.JupyterHub.tornado_settings == {
        "headers": {"Content-Security-Policy": f"frame-ancestors 'self' {origins}"},
        "cookie_options": {"samesite": "None", "secure": True},
    }
    assert c.Spawner.environment["NBCAMPUS_FRAME_ANCESTORS"] == origins
    service = next(s for s in c.JupyterHub.services if s["name"] == "nbcampus")
    assert service["environment"]["NBCAMPUS_LTI_PLATFORMS"].endswith("platforms.json")
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["nbcampus-lti-instructor-c1"] == {
        "name": "nbcampus-lti-instructor-c1",
        "scopes": ["custom:nbcampus:teach:c1"],
        "groups": ["nbcampus-lti-instructor-c1"],
    }
    assert roles["nbcampus-lti-ta-c1"]["scopes"] == ["custom:nbcampus:grade:c1"]


def test_without_platforms_nothing_changes_for_frames(tmp_path, monkeypatch):
    monkeypatch.delenv("NBCAMPUS_LTI_PLATFORMS", raising=False)
    monkeypatch.delenv("NBCAMPUS_PUBLIC_URL", raising=False)
    c = configure_hub(Config(), CampusSettings(state_dir=str(tmp_path / "var")), {})
    assert "tornado_settings" not in c.JupyterHub
    assert "NBCAMPUS_FRAME_ANCESTORS" not in c.Spawner.environment


def test_roles_map_to_learner_instructor_and_ta():
    base = "http://purl.imsglobal.org/vocab/lis/v2/membership"
    assert role_of([f"{base}#Learner"]) == "learner"
    assert role_of([f"{base}#Instructor"]) == "instructor"
    assert role_of([f"{base}#Instructor", f"{base}/Instructor#TeachingAssistant"]) == "ta"
    assert role_of(["Instructor"]) == "instructor"
    assert (
        role_of(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"])
        == "learner"
    )
    assert role_of([]) == "learner"


def test_lms_account_names():
    assert is_lti_username("lti-0123456789ab") and is_lti_username("moodle-abcdefabcdef")
    assert not is_lti_username("ana") and not is_lti_username("lti-admin")
