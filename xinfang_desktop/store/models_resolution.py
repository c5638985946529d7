"""Tables of the seed office's ways of resolving hard matters (issue 19): 信访评理 sessions beside the
mediation log, and the 积案 register with its 化解 plan. Every row hangs on a matter (a case) and says
how the matter is being resolved; nothing here describes where a person is or what they may do."""

from __future__ import annotations

from datetime import datetime

from peewee import BooleanField, CharField, DateField, DateTimeField, IntegerField, TextField
from peewee import Database

from .models import BaseModel, JSONField, SyncedModel, new_id
from .models_sync import journal_triggers


class DeliberationSession(BaseModel):
    """A 信访评理 session: a panel of respected people hears a contested matter with the petitioner and the
    unit concerned and gives its reasoned view. Append-only like the mediation log: a correction is a new
    row whose `corrects` names the one it replaces."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12)
    case_id = CharField(max_length=36, index=True)
    held_on = DateField()
    place = CharField()
    panel = JSONField(default=list)            # [{"name", "role"}]: names and roles only, no ID numbers
    attendees = JSONField(default=list)        # names of those present (petitioner, the unit's people)
    statements = TextField()                   # the parties' statements in brief
    view = TextField()                         # the panel's reasoned view
    accepted = BooleanField()                  # whether the petitioner accepted the view
    corrects = CharField(max_length=36, null=True, index=True)
    actor = CharField()
    recorded_at = DateTimeField(default=datetime.now)


class BacklogEntry(SyncedModel):
    """A matter on the 积案 register by a recorded decision (basis and reason), until a 化解 outcome is
    recorded (outcome, its date and note; 息诉罢访 names the petitioner's signed statement, an attachment
    of the case)."""

    case_id = CharField(max_length=36, index=True)
    basis = CharField(max_length=20)           # long_open / repeated / other
    reason = TextField()
    decided_on = DateField(index=True)
    decided_by = CharField()
    outcome = CharField(max_length=20, null=True)       # resolved / withdrawn / ended
    outcome_on = DateField(null=True, index=True)
    outcome_note = TextField(null=True)
    statement_sha256 = CharField(max_length=64, null=True)
    closed_by = CharField(null=True)


class BacklogStep(SyncedModel):
    """One step of an entry's 化解 plan: what is to be done, by whom, by when; done with a short result."""

    entry_id = CharField(max_length=36, index=True)
    position = IntegerField()
    action = TextField()
    responsible = CharField()
    set_on = DateField()                       # the day the step was planned: its span starts here
    due_on = DateField()
    done_on = DateField(null=True)
    result = TextField(null=True)
    recorded_by = CharField()


MODELS: list[type[BaseModel]] = [DeliberationSession, BacklogEntry, BacklogStep]
JOURNALED: tuple[str, ...] = ("deliberation_session", "backlog_entry", "backlog_step")


def create(db: Database) -> None:
    """This feature's tables and their sync journal triggers as this version has them (store/schema.py)."""
    db.create_tables(MODELS)
    journal_triggers(db, JOURNALED)
