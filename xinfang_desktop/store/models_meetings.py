"""Tables of the meetings feature (issue 19, schema step v17): the office's 跟踪督办会, 推进会, 信访工作联席会议
and 专题会/研判会, the matters each discussed, and the tasks it handed to units, each with a deadline and,
once done, a short result. Both are owned rows (only the unit that held the meeting changes them) and travel
in sync bundles. They are about resolving matters: a task names a unit and what it is to do, never a person
to watch."""

from __future__ import annotations

from datetime import datetime

from peewee import CharField, Database, DateField, DateTimeField, TextField

from .models import JSONField, SyncedModel
from .models_sync import journal_triggers


class Meeting(SyncedModel):
    kind = CharField(max_length=20)            # services.meetings.MeetingKind
    held_on = DateField(index=True)
    topic = CharField(default="")              # the subject of a 专题会/研判会 (optional for the others)
    place = CharField(default="")
    chair = CharField()                        # the leader who chaired it
    units = JSONField(default=list)            # attending units, in the order given
    case_ids = JSONField(default=list)         # the matters discussed, in the order discussed
    summaries = JSONField(default=dict)        # case id -> what was said of it (may be empty)
    notes = TextField(default="")              # anything else the minutes record
    recorded_by = CharField()
    recorded_at = DateTimeField(default=datetime.now)


class MeetingTask(SyncedModel):
    """A decision of a meeting on one matter: a unit is to do something by a date. Closed (closed_on, result)
    by the office that held the meeting, which then raises the version."""

    meeting_id = CharField(max_length=36, index=True)
    case_id = CharField(max_length=36, index=True)
    unit = CharField()                         # the unit responsible (属地单位或主管部门)
    what = TextField()
    due_on = DateField(index=True)
    closed_on = DateField(null=True)
    result = TextField(null=True)
    closed_by = CharField(null=True)


MODELS = [Meeting, MeetingTask]
JOURNALED: tuple[str, ...] = ("meeting", "meeting_task")


def create(db: Database) -> None:
    """This feature's tables and their sync journal, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
    journal_triggers(db, JOURNALED)
