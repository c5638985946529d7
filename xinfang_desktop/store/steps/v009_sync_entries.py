"""v9 (issue 5): the change journal on the attachment and attention records, so that they travel in bundles;
this unit's rows already written are journaled once. (Released empty at first, then filled: run again on a
database of the empty form, it makes what that form lacked.)"""

from __future__ import annotations

from peewee import Database

from ._sql import journal

JOURNALED = ("attachment", "leader_assignment", "colour_override", "hardship_flag", "hardship_referral",
             "reception", "mediation_session")


def upgrade(db: Database) -> None:
    journal(db, JOURNALED)
