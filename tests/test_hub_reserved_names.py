"""Sign-up refuses the names of the hub's own people and parts: admins, root, the hub, its
services. Whoever signs up first under such a name would otherwise be taken for them (and, for
a name in admin_users, become hub admin)."""

from __future__ import annotations

import pytest

from nbcampus.hub.reserved import RESERVED_USERNAMES, is_reserved_username
from nbcampus.testing import LoginFailed


@pytest.mark.parametrize(
    "name", ["admin", "root", "hub", "nbcampus", "administrator", "ad-min", "Admin_", "r.o.o.t"]
)
def test_reserved_names_and_their_look_alikes_are_reserved(name):
    assert is_reserved_username(name, RESERVED_USERNAMES | {"nbcampus"})


@pytest.mark.parametrize("name", ["ana", "admiral", "hubert", "rooted", "learner1", "maria"])
def test_ordinary_names_are_not(name):
    assert not is_reserved_username(name, RESERVED_USERNAMES | {"nbcampus"})


def test_the_configured_names_count_as_reserved():
    assert is_reserved_username("maria", {"maria"})
    assert not is_reserved_username("maria", set())


@pytest.mark.hub
def test_a_real_hub_refuses_to_sign_up_reserved_names(school):
    password = "a-Long-enough-passphrase-44"
    for name in ("root", "hub", "nbcampus", "Administrator"):
        _, refused = school.sign_up(name, password)
        assert refused.status_code == 200, name  # the form again, not signed in
        assert "This username is reserved" in refused.text, name
        with pytest.raises(LoginFailed):
            school.login(name.lower(), password)
    # an ordinary name still signs up (and is signed in at once) and logs in
    _, ok = school.sign_up("reserved-check", password)
    assert ok.status_code == 302, ok.text
    school.login("reserved-check", password)
