"""Staff management in the services the window and the command line share: names, roles, disabling."""

from __future__ import annotations

import pytest

from xinfang_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from xinfang_desktop.services.permissions import Role


def test_the_last_administrator_keeps_the_role_and_cannot_be_disabled(services, admin, clerk):
    with pytest.raises(InvalidInput, match="唯一的管理员"):
        services.auth.update_user(admin, "admin", role=Role.CLERK)
    services.auth.update_user(admin, "clerk1", role=Role.ADMIN)
    other = services.auth.user("clerk1")
    services.auth.disable_user(other, "admin")          # now there is another administrator
    assert [m.active for m in services.auth.staff(other) if m.name == "admin"] == [False]
    with pytest.raises(InvalidInput, match="唯一的管理员"):
        services.auth.update_user(other, "clerk1", role=Role.CLERK)


def test_a_disabled_account_keeps_its_name_and_loses_its_keyring_entry(services, admin, clerk):
    services.auth.disable_user(admin, "clerk1")
    assert not services.auth.keyring().has_user("clerk1")
    assert services.auth.display_names()["clerk1"] == "李登记"      # the audit and the timeline still name them
    with pytest.raises(NotFound):
        services.auth.reset_password(admin, "clerk1", "whatever-2")
    with pytest.raises(InvalidInput, match="至少6位"):
        services.auth.enable_user(admin, "clerk1", "short")
    services.auth.enable_user(admin, "clerk1", "clerk-pass-7")
    assert services.auth.keyring().has_user("clerk1")


def test_only_an_administrator_manages_staff_and_a_name_is_required(services, admin, clerk):
    with pytest.raises(PermissionDenied):
        services.auth.disable_user(clerk, "admin")
    with pytest.raises(PermissionDenied):
        services.auth.staff(clerk)
    with pytest.raises(InvalidInput, match="姓名不能为空"):
        services.auth.update_user(admin, "clerk1", display_name="  ")
