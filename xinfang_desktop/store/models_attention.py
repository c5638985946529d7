"""Tables of the attention feature: 包案, colour overrides, hardship and referrals, mediation
sessions (append-only), leaders' receptions. The board itself is computed, never stored."""

from __future__ import annotations

from datetime import datetime

from peewee import CharField, DateField, DateTimeField, IntegerField, TextField
from peewee import Database

from .models import BaseModel, JSONField, SyncedModel, new_id


class LeaderAssignment(SyncedModel):
    """A leader owns a case (包案) with a plan and a target date. One in force per case; a new
    assignment ends the previous one (ended_at), which stays as history."""

    case_id = CharField(max_length=36, index=True)
    leader_name = CharField()                  # login name
    leader_display = CharField()
    plan = TextField()
    target_date = DateField()
    assigned_by = CharField()
    assigned_at = DateTimeField(default=datetime.now)
    ended_at = DateTimeField(null=True)
    end_reason = TextField(null=True)


class ColourOverride(SyncedModel):
    """A leader's raised or lowered colour for a matter (case_id: one of its petitions), with the
    written reason. It holds while the computed colour is `base_colour`; withdrawn_at ends it
    explicitly. Rows of earlier versions name a person instead (person_id, case_id empty): they
    apply on the board's grouping by person only (schema step v15, store/steps/v015_board.py)."""

    person_id = CharField(max_length=36, index=True, null=True)
    case_id = CharField(max_length=36, index=True, null=True)
    colour = CharField(max_length=1)
    base_colour = CharField(max_length=1)
    reason = TextField()
    set_by = CharField()
    set_by_display = CharField()
    set_at = DateTimeField(default=datetime.now)
    withdrawn_at = DateTimeField(null=True)


class HardshipFlag(SyncedModel):
    person_id = CharField(max_length=36, index=True)
    case_id = CharField(max_length=36, null=True)
    kind = CharField()
    note = TextField(default="")
    opened_by = CharField()
    opened_at = DateTimeField(default=datetime.now)
    cleared_at = DateTimeField(null=True)
    cleared_by = CharField(null=True)
    clear_reason = TextField(null=True)


class HardshipReferral(SyncedModel):
    """A referral to social or judicial assistance (第三十七条) and, later, its outcome."""

    flag_id = CharField(max_length=36, index=True)
    kind = CharField()                         # social / judicial
    agency = CharField()
    referred_on = DateField()
    note = TextField(default="")
    outcome = TextField(null=True)
    outcome_on = DateField(null=True)
    recorded_by = CharField()


class MediationSession(BaseModel):
    """Append-only like case events: never updated or deleted; a correction is a new row whose
    `corrects` names the one it replaces."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12)
    case_id = CharField(max_length=36, index=True)
    held_on = DateField()
    place = CharField()
    kind = CharField()
    mediators = JSONField(default=list)        # [{"name", "role"}], outside mediators and lawyers included
    parties = JSONField(default=list)          # names of those present
    discussion = TextField()
    outcome = CharField()                      # agreement / partial / none
    agreement = TextField(null=True)           # the terms, when agreed
    agreement_kind = CharField(null=True)      # 调解协议书 / 和解协议书
    next_session = DateField(null=True)
    corrects = CharField(max_length=36, null=True, index=True)
    actor = CharField()
    recorded_at = DateTimeField(default=datetime.now)


class Reception(SyncedModel):
    """One leader's reception (接访): who, when, where, what kind, batches and persons, cases."""

    leader = CharField()
    held_on = DateField(index=True)
    place = CharField()
    kind = CharField()
    batches = IntegerField()
    persons = IntegerField()
    case_ids = JSONField(default=list)
    notes = TextField(default="")
    recorded_by = CharField()
    recorded_at = DateTimeField(default=datetime.now)


MODELS: list[type[BaseModel]] = [LeaderAssignment, ColourOverride, HardshipFlag, HardshipReferral, MediationSession,
                                 Reception]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
