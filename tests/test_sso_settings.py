"""Single sign-on's settings on a bare traitlets Config: the group map (checked, mapped groups
only), the staff groups' roles the configuration gives, and nothing at all without an issuer."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from nbcampus.course.model import Course
from nbcampus.hub.configurer import configure_hub
from nbcampus.hub.settings import CampusSettings
from nbcampus.hub.sso import CampusSSO, check_group_map, configure_sso, hub_groups_of
from nbcampus.testing import write_course


def test_the_group_map_gives_hub_groups_and_staff_groups_only_for_named_groups():
    group_map = check_group_map({"staff": ["acme"], "cs": ["instructor:cs101", "ta:cs102"]})
    assert hub_groups_of({"staff", "cs", "students"}, group_map) == {
        "acme",
        "nbcampus-instructor-cs101",
        "nbcampus-ta-cs102",
    }
    assert hub_groups_of({"students"}, group_map) == set()
    assert check_group_map({"one": "acme"}) == {"one": ["acme"]}


@pytest.mark.parametrize(
    "bad, where",
    [
        ({"g": ["teacher:cs101"]}, "target 'teacher:cs101' of 'g'"),
        ({"g": ["has space"]}, "target 'has space' of 'g'"),
        ({"g": {"x": 1}}, "'g' must map to a list"),
        (["g"], "must be {"),
    ],
)
def test_a_malformed_group_map_is_refused_saying_where(bad, where):
    with pytest.raises(ValueError, match=where.replace("{", r"\{")):
        check_group_map(bad)


def test_settings_from_the_environment(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("NBCAMPUS_SSO_ISSUER", "https://id.uni.example/realms/uni/")
    monkeypatch.setenv("NBCAMPUS_SSO_CLIENT_ID", "school")
    monkeypatch.setenv("NBCAMPUS_SSO_CLIENT_SECRET_FILE", str(secret))
    monkeypatch.setenv("NBCAMPUS_SSO_GROUP_MAP", '{"cs": ["ta:cs101"]}')
    sso = CampusSSO()
    assert sso.issuer == "https://id.uni.example/realms/uni"
    assert (sso.client_id, sso.client_secret) == ("school", "s3cret")
    assert sso.username_claim == "preferred_username" and sso.groups_claim == "groups"
    assert sso.manage_groups and sso.basic_auth and sso.enable_pkce
    assert sso.group_map == {"cs": ["ta:cs101"]}
    monkeypatch.setenv("NBCAMPUS_SSO_GROUP_MAP", '{"cs": ["boss:cs101"]}')
    with pytest.raises(ValueError, match="NBCAMPUS_SSO_GROUP_MAP: .*'boss:cs101'"):
        CampusSSO().check_settings()
    monkeypatch.delenv("NBCAMPUS_SSO_CLIENT_ID")
    monkeypatch.delenv("OAUTH_CLIENT_ID", raising=False)
    with pytest.raises(ValueError, match="needs a client id: set NBCAMPUS_SSO_CLIENT_ID"):
        CampusSSO().check_settings()


def _courses(tmp_path) -> dict[str, Course]:
    from nbcampus.course.loader import load_catalog

    for course_id in ("cs101", "cs102"):
        if not (tmp_path / "courses" / course_id).exists():
            write_course(tmp_path / "courses", course_id)
    courses, problems = load_catalog(tmp_path / "courses")
    assert not problems
    return courses


def test_staff_groups_get_their_courses_scope(tmp_path):
    c = Config()
    c.CampusSSO.issuer = "https://id.uni.example"
    c.CampusSSO.group_map = {"cs": ["instructor:cs101", "ta:cs102", "acme", "ta:gone"]}
    settings = CampusSettings(state_dir=str(tmp_path / "var"))
    configure_hub(c, settings, _courses(tmp_path))
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["nbcampus-sso-instructor-cs101"] == {
        "name": "nbcampus-sso-instructor-cs101",
        "scopes": ["custom:nbcampus:teach:cs101"],
        "groups": ["nbcampus-instructor-cs101"],
    }
    assert roles["nbcampus-sso-ta-cs102"]["scopes"] == ["custom:nbcampus:grade:cs102"]
    assert not any("gone" in name for name in roles)  # no such course: nothing
    # set again, not appended
    again = configure_sso(c, _courses(tmp_path))
    names = [r["name"] for r in again.JupyterHub.load_roles]
    assert len(names) == len(set(names))


def test_no_issuer_no_sso_roles(tmp_path, monkeypatch):
    monkeypatch.delenv("NBCAMPUS_SSO_ISSUER", raising=False)
    c = Config()
    c.CampusSSO.group_map = {"cs": ["instructor:cs101"]}
    configure_hub(c, CampusSettings(state_dir=str(tmp_path / "var")), _courses(tmp_path))
    assert not any(r["name"].startswith("nbcampus-sso-") for r in c.JupyterHub.load_roles)
