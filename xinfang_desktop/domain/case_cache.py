"""The columns of a case row that cache the fold of its events, and their values for a state.

Every writer of events or case rows writes them (services/cases.apply_state, the sync import's
refold, the ledger import, the demo, a schema upgrade); `xinfang check` compares them with a fresh
fold. The next deadline depends on which office reads it (`here`): a 复查 recorded by the superior
is that superior's limit, not the limit of the office below that handled the matter.
"""

from __future__ import annotations

from datetime import date

from . import workflow as wf
from .review_standing import review_standing
from .statistics import stat_facts

# the columns of the case row that the fold derives beyond its status and deadline (statistics and
# board facts, mirrored into case_fact by triggers)
FACT_COLUMNS = ("stat_flags", "stat_limit", "stat_reply", "decided_on", "followed_on", "stat_accept")
# the board's facts of the same fold (schema step v15): where a 复查/复核 stands, as a domain/review_standing
# code, and the unit handling the matter
BOARD_COLUMNS = ("review_standing", "handling_unit")
CACHED_COLUMNS = ("status", "next_due", "next_due_start", "next_due_key", "provisional", *FACT_COLUMNS,
                  *BOARD_COLUMNS)


def cached_values(state: wf.CaseState, here: str | None = None) -> tuple:
    """The values of CACHED_COLUMNS for a folded state, as read by the office `here`, in that order."""
    nxt = state.next_deadline_for(here)
    facts = stat_facts(state)
    return (state.status.value if state.status else wf.Status.REGISTERED.value,
            nxt.due.date if nxt else None, nxt.start if nxt else None, nxt.key.value if nxt else None,
            state.provisional, facts.flags, facts.open_limit, facts.replied_on, facts.decided_on,
            state.followed_up_on, facts.accept_limit, *board_values(state))


def board_values(state: wf.CaseState) -> tuple:
    """The values of BOARD_COLUMNS for a folded state (the same wherever it is read)."""
    standing = review_standing(state)
    return (standing.code if standing else None, state.routed_unit or None)


def sql_values(state: wf.CaseState, here: str | None = None) -> tuple:
    """cached_values with dates as ISO text, for executemany."""
    return tuple(v.isoformat() if isinstance(v, date) else v for v in cached_values(state, here))
