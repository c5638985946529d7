"""Where a matter's 复查/复核 stands (第三十五、三十六条), folded from its events: what the board reads to
tell a review still disputed from one that supported the petitioner."""

from __future__ import annotations

from datetime import datetime

from xinfang_desktop.domain.holidays import build_calendar
from xinfang_desktop.domain.review_standing import ReviewStage, ReviewStanding, parse_standing, review_standing
from xinfang_desktop.domain.workflow import Event, EventKind, Outcome, fold


def _event(n: int, kind: EventKind, day: int, **data) -> Event:
    return Event(f"e{n}", kind, datetime(2026, 3, day, 9, 0), data)


def test_review_standing_follows_the_latest_review_asked_for_articles_35_36():
    cal = build_calendar([])
    events = [_event(1, EventKind.REGISTERED, 2), _event(2, EventKind.ROUTED, 3, route="direct"),
              _event(3, EventKind.REPLIED, 10, outcome="rejected", text="不予支持")]
    assert review_standing(fold(events, cal)) is None
    events.append(_event(4, EventKind.REVIEW_REQUESTED, 12))
    assert review_standing(fold(events, cal)) == ReviewStanding(ReviewStage.REVIEW, None)
    events.append(_event(5, EventKind.REVIEW_DECIDED, 20, outcome="supported", text="撤销"))
    got = review_standing(fold(events, cal))
    assert got == ReviewStanding(ReviewStage.REVIEW, Outcome.SUPPORTED) and not got.disputed
    assert parse_standing(got.code) == got and got.code == "review:supported"
    events.append(_event(6, EventKind.RECHECK_REQUESTED, 25))
    got = review_standing(fold(events, cal))
    assert got.code == "recheck:pending" and got.disputed and got.text == "复核中"
    assert parse_standing("later:unknown") is None
