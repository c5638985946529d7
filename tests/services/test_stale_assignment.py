"""包案 from a stale form (issue 16, item 2): the form shows the 包案 in force when it opened; a 包案 another desk
made since is not ended unseen — the save is refused, saying who assigned whom and when, and nothing is
written. A caller that passes nothing (the command line) keeps what it had."""

from __future__ import annotations

import pytest

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import StaleCase
from xinfang_desktop.services.attention import OwnershipService
from xinfang_desktop.services.permissions import Role
from xinfang_desktop.store.models_attention import LeaderAssignment


@pytest.fixture
def leaders(services, admin):
    return (services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "李镇长"),
            services.auth.add_user(admin, "leader2", Role.LEADER, "leader-pass-2", "陈副镇长"))


def test_a_second_leader_over_one_taken_since_the_form_opened_is_refused(services, clerk, admin, leaders, clock):
    li, chen = leaders
    ref = services.cases.register(clerk, make_registration())
    own = services.get(OwnershipService)
    assert own.current(ref.id) is None                      # this desk's form: nobody has it
    clock.advance(minutes=5)
    taken = own.assign(admin, ref.number, "陈副镇长", "约谈企业负责人", "2026-12-20")      # another desk
    with pytest.raises(StaleCase) as refused:
        own.assign(li, ref.number, "李镇长", "约谈企业负责人", "2026-12-15", seen_assignment="")
    said = str(refused.value)
    assert ref.number in said and "王管理已指定陈副镇长包案" in said and f"{taken.assigned_at:%m-%d %H:%M}" in said, said
    assert "没有保存" in said and "包案" in said
    assert own.current(ref.id).id == taken.id and LeaderAssignment.select().count() == 1     # nothing written

    # the form opened again shows 陈副镇长's: saving over it is what the leader then chose
    again = own.assign(li, ref.number, "李镇长", "约谈企业负责人", "2026-12-15", seen_assignment=taken.id)
    assert own.current(ref.id).id == again.id
    with pytest.raises(StaleCase, match="李镇长已亲自包案"):          # a form that showed 陈副镇长's is now stale
        own.assign(chen, ref.number, "陈副镇长", "再次牵头", "2026-12-20", seen_assignment=taken.id)
    own.assign(admin, ref.number, "陈副镇长", "由管理员改派", "2026-12-20")                # not checked
    assert own.current(ref.id).leader_name == "leader2" and LeaderAssignment.select().count() == 3
