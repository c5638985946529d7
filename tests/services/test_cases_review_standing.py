"""The standing of a matter's review is cached on the case row with the rest of the fold
(services/cases.cached_values) and checked by `xinfang check` like it."""

from __future__ import annotations

from tests.conftest import make_registration
from xinfang_desktop.domain.workflow import EventKind

BASIS = "《保障农民工工资支付条例》第三条"      # a 处理意见书 states its legal basis (第三十二条)


def routed(services, clerk, handler, **reg):
    ref = services.cases.register(clerk, make_registration(**reg))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    return ref


def test_xinfang_check_verifies_the_cached_review_standing(services, clerk, handler, admin):
    """The review's standing is cached on the case row like the rest of the fold: `xinfang check` finds a
    wrong value and repairs it."""
    from xinfang_desktop.services.check import run_check

    ref = routed(services, clerk, handler)
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"outcome": "rejected", "text": "不予支持", "basis": BASIS})
    services.cases.act(handler, ref.number, EventKind.REVIEW_REQUESTED, {})
    services.cases.act(handler, ref.number, EventKind.REVIEW_DECIDED, {"disposition": "revoke", "outcome": "supported", "text": "撤销"})
    db = services.db
    assert db.execute_sql('SELECT review_standing, handling_unit FROM "case"').fetchone() == ("review:supported",
                                                                                             "镇信访办")
    db.execute_sql("UPDATE \"case\" SET review_standing = 'review:rejected'")
    report = run_check(db, services.calendar.calendar)
    assert report.mismatched == [ref.number] and not report.ok
    assert run_check(db, services.calendar.calendar, repair=True).repaired == 1
    assert db.execute_sql('SELECT review_standing FROM "case"').fetchone() == ("review:supported",)
