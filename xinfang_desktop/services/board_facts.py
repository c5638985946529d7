"""The board's facts, gathered in a few queries over the cached case rows (never a refold of every
timeline), once per refresh for both groupings: by matter (the board) and by person (the screen's
way of finding a person's matters).

Plain scans, each table read once: the case rows (which carry the day of their last written
decision and follow-up, where a review stands and who handles them), the parties, the people,
joined in dictionaries. (SQLite joining the same rows through its UUID indexes costs over twice as
much: a probe per row.) Decided matters already followed up are left out as soon as their row is
read, unless they fall in the repeat window, where they may still link petitions on the same matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Container

from ..domain.board import BoardSettings, CaseFacts, Colour, Hardship, HardshipKind, Override
from ..domain.review_standing import parse_standing
from ..domain.workflow import OPEN_STATUSES, Status

# Statuses of matters that may be on the board: open, or decided and maybe awaiting the follow-up.
# (Any other status — refused, and whatever else is not open and has no follow-up — stays off.)
_OPEN = [s.value for s in OPEN_STATUSES]
_DECIDED = [Status.REPLIED.value, Status.REVIEWED.value, Status.RECHECKED.value, Status.REDIRECTED.value,
            Status.CLOSED.value]
_OPEN_SET = frozenset(_OPEN)
# A decided matter off the board: followed up since its last decision, or ended without one (but
# redirected matters wait for their follow-up too). The same test as in gather's loop, so SQL
# leaves out the rows the loop would skip anyway when they are older than the repeat window.
_SETTLED = ("((followed_on IS NOT NULL AND (decided_on IS NULL OR followed_on >= decided_on)) "
            f"OR (decided_on IS NULL AND status != '{Status.REDIRECTED.value}'))")
_STATUSES = _OPEN + _DECIDED
_REDIRECTED = Status.REDIRECTED.value
REQUEST_CHARS = 40                    # of the request, enough for its gist on a card


@dataclass
class BoardFacts:
    """Everything a refresh needs, keyed by id. Read-only once gathered."""

    cases: dict[str, CaseFacts]                          # on the board, or inside the repeat window
    parties: dict[str, list[str]]                        # case id → its petitioners' ids, in order
    representatives: dict[str, set[str]]                # case id → its representatives' ids (cases with any)
    names: dict[str, str]                                # person id → name
    places: dict[str, tuple]                             # person id → (ID number, township, village), if asked
    request: dict[str, str]                              # case id → the start of its request (on the board)
    township: dict[str, str | None]                      # case id → its township code (on the board)
    hardships: dict[str, list[tuple[Hardship, str | None]]] = field(default_factory=dict)  # person → (flag, its case)
    person_overrides: dict[str, Override] = field(default_factory=dict)   # earlier versions' overrides on a person
    case_overrides: dict[str, tuple[int, Override]] = field(default_factory=dict)  # case → (order set, override)


def gather(db, today: date, settings: BoardSettings, only_person: str | None = None, places: bool = True
           ) -> BoardFacts:
    """The facts of every matter that may be on the board (or, with `only_person`, of that person's).
    Without `places`, people are known by name only: the board by matter shows no ID or place."""
    of_person = "IN (SELECT case_id FROM case_party WHERE person_id = ?)"
    one = [only_person] if only_person else []
    # Received on or after this day: inside the repeat window (received_on > today - window).
    window_from = (today - timedelta(days=settings.repeat_window_days - 1)).isoformat()
    built: dict[str, CaseFacts] = {}
    request: dict[str, str] = {}
    township: dict[str, str | None] = {}
    days = _DAYS                             # the parsed days, looked up inline (most rows)
    for (cid, number, status, received, cat, group, n, repeat_of, due, due_key, dec, fu, review, handler, town,
         req) in db.execute_sql(
            f"""SELECT id, number, status, received_at, category_code, is_group, people_count, repeat_of,
                       next_due, next_due_key, decided_on, followed_on, review_standing, handling_unit,
                       township_code, substr(request, 1, {REQUEST_CHARS + 1})
                FROM "case" WHERE status IN ({_marks(_STATUSES)}) AND (status IN ({_marks(_OPEN)})
                      OR received_at >= ? OR NOT {_SETTLED})""" + (f" AND id {of_person}" if only_person else ""),
            [*_STATUSES, *_OPEN, window_from, *one]):
        replied_on = None
        followed = False
        if status not in _OPEN_SET:
            # the last written decision and the last follow-up, cached on the row by apply_state
            followed = fu is not None and (dec is None or fu >= dec)
            if (followed or (dec is None and status != _REDIRECTED)) and received < window_from:
                continue                   # off the board, and too old to count as a repeat
            replied_on = dec and (days.get(dec) or _day(dec))
        f = built[cid] = CaseFacts(cid, number, _STATUS[status], days.get(received[:10]) or _day(received), cat,
                                   bool(group), n or 1, repeat_of, due and (days.get(due) or _day(due)), due_key,
                                   replied_on, followed, review and parse_standing(review), handler)
        if f.on_board:                           # what a card shows (the others only link petitions)
            request[cid] = req
            township[cid] = town
    for cid, (name, target) in _leaders(db, built).items():
        f = built[cid]
        f.leader, f.leader_target = name, target
    for cid, nxt in _next_sessions(db, built).items():
        built[cid].next_session = nxt
    parties: dict[str, list[str]] = {}
    representatives: dict[str, set[str]] = {}
    shuffled: set[str] = set()          # cases whose parties were not written in their order
    for cid, pid, rep, pos in db.execute_sql(
            "SELECT case_id, person_id, is_representative, position FROM case_party"
            + (" WHERE case_id " + of_person if only_person else ""), one):
        if cid not in built:
            continue
        got = parties.get(cid)
        if got is None:
            parties[cid] = [pid]
            if pos:
                shuffled.add(cid)
        else:
            got.append(pid)
            if pos != len(got) - 1:
                shuffled.add(cid)
        if rep:
            representatives.setdefault(cid, set()).add(pid)
    for part in _chunks(sorted(shuffled)):              # every writer writes them in order: rarely any
        for cid in part:
            parties[cid] = []
        for cid, pid in db.execute_sql(f"SELECT case_id, person_id FROM case_party WHERE case_id IN ({_marks(part)}) "
                                       "ORDER BY case_id, position", part):
            parties[cid].append(pid)
    names: dict[str, str] = {}
    where = " WHERE id IN (SELECT person_id FROM case_party WHERE case_id " + of_person + ")" if only_person else ""
    known: dict[str, tuple] = {}
    if places:
        persons: Container[str] = {pid for got in parties.values() for pid in got}
        for pid, name, id_number, town, village in db.execute_sql(
                f"SELECT id, name, id_number, township_code, village_code FROM person{where}", one):
            if pid in persons:
                names[pid] = name
                known[pid] = (id_number, town, village)
    else:
        # Everyone's name, in one C-level pass (a look-up by id, so those of no matter here do no harm).
        names = dict(db.execute_sql(f"SELECT id, name FROM person{where}", one))
        persons = names
    facts = BoardFacts(built, parties, representatives, names, known, request, township)
    facts.hardships = _hardships(db, persons)
    facts.person_overrides, facts.case_overrides = _overrides(db, persons, built)
    return facts


def _leaders(db, case_ids: Container[str]) -> dict[str, tuple[str, date]]:
    out: dict[str, tuple[str, date]] = {}
    for cid, name, target in db.execute_sql(
            "SELECT case_id, leader_display, target_date FROM leader_assignment WHERE ended_at IS NULL "
            "ORDER BY assigned_at"):
        if cid in case_ids:
            out[cid] = (name, _day(target))
    return out


def _next_sessions(db, case_ids: Container[str]) -> dict[str, date]:
    # The planned next session of each case's latest, uncorrected mediation entry.
    out: dict[str, date] = {}
    rows = db.execute_sql(
        "SELECT m.case_id, m.next_session FROM mediation_session m WHERE NOT EXISTS "
        "(SELECT 1 FROM mediation_session c WHERE c.corrects = m.id) ORDER BY m.held_on, m.recorded_at").fetchall()
    for cid, nxt in rows:
        if cid in case_ids:
            d = _day(nxt)
            if d is None:
                out.pop(cid, None)
            else:
                out[cid] = d
    return out


def _hardships(db, wanted: Container[str]) -> dict[str, list[tuple[Hardship, str | None]]]:
    out: dict[str, list[tuple[Hardship, str | None]]] = {}
    for pid, case_id, kind, note, opened in db.execute_sql(
            "SELECT person_id, case_id, kind, note, opened_at FROM hardship_flag WHERE cleared_at IS NULL "
            "ORDER BY opened_at"):
        if pid in wanted:
            out.setdefault(pid, []).append((Hardship(HardshipKind(kind), note or "", _day(opened)), case_id))
    return out


def _overrides(db, people: Container[str], cases: Container[str]
               ) -> tuple[dict[str, Override], dict[str, tuple[int, Override]]]:
    """Overrides in force: on a person (earlier versions) and on a case; the later set wins."""
    by_person: dict[str, Override] = {}
    by_case: dict[str, tuple[int, Override]] = {}
    for i, (pid, cid, colour, base, reason, by, at) in enumerate(db.execute_sql(
            "SELECT person_id, case_id, colour, base_colour, reason, set_by_display, set_at FROM colour_override "
            "WHERE withdrawn_at IS NULL ORDER BY set_at")):
        if cid is not None:
            if cid in cases:
                by_case[cid] = (i, Override(Colour(colour), Colour(base), reason, by, _day(at)))
        elif pid in people:
            by_person[pid] = Override(Colour(colour), Colour(base), reason, by, _day(at))
    return by_person, by_case


_DAYS: dict[str, date] = {}
_STATUS = {s.value: s for s in Status}


def _day(value) -> date | None:
    if value is None:
        return None
    if value.__class__ is str:     # what SQLite hands back: the common case first
        got = _DAYS.get(value[:10])  # a few hundred distinct days among tens of thousands of rows
        if got is None:
            got = _DAYS[value[:10]] = date.fromisoformat(value[:10])
        return got
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _day(str(value))


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]
