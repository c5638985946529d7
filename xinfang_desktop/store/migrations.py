"""Schema versions, one step each. The version lives in PRAGMA user_version; a file backup is
taken before any step runs on an existing database (store.db.open_database)."""

from __future__ import annotations

from typing import Callable

from peewee import Database

from .models import ALL_MODELS


def _v1_initial(db: Database) -> None:
    db.create_tables(ALL_MODELS)
    # Search index: pre-tokenised text (CJK unigrams and bigrams, pinyin, numbers) in FTS5;
    # rowid = case.sid. See store/search.py for why not the trigram tokenizer.
    db.execute_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5(tokens, tokenize='unicode61 remove_diacritics 0')"
    )


def _feature(module: str) -> Callable[[Database], None]:
    """A step that creates the tables of one feature's model module (store/models_<feature>.py)."""

    def step(db: Database) -> None:
        import importlib

        importlib.import_module(f"{__package__}.{module}").upgrade(db)

    step.__name__ = f"upgrade_{module}"
    return step


# One step per schema version; never reorder or remove a step once released.
STEPS: list[Callable[[Database], None]] = [
    _v1_initial,
    _feature("models_intake"),      # v2: drafts, attachments (issue 3)
    _feature("models_attention"),   # v3: board overrides, 包案, hardship, mediation, receptions (issue 4)
    _feature("models_sync"),        # v4: keys, ledger, outbox, quarantine (issue 5)
    _feature("models_stats"),       # v5: ledger imports (issue 6)
    _feature("models_ops"),         # v6: backups, sync epochs (issue 7)
    _feature("models_listing"),     # v7: indexes of the case list's filters and sorts (issue 3)
    _feature("models_facts"),       # v8: per-case statistics facts, kept with the case row (issue 6)
    _feature("models_sync_entries"),  # v9: attachments and attention records in the sync journal (issue 5)
    _feature("models_trust"),       # v10: bundles held by file until their sender is enrolled; failed logins (issue 11)
    _feature("models_receipts"),    # v11: signing key history, receipt statements, receipts verified (issue 17)
    _feature("models_regulation"),  # v12: 文号 counters; cases refolded under the regulation's paths (issue 13)
    _feature("models_person"),      # v13: a person's history of fills and corrections, local (issue 13)
    _feature("models_rate_windows"),  # v14: each case's open 15-day limit in the statistics facts (issue 13)
    _feature("models_board"),       # v15: the board by matter: review standing, handling unit, overrides on a matter (issue 13)
]
SCHEMA_VERSION = len(STEPS)


def migrate(db: Database) -> int:
    current = db.execute_sql("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        from ..domain.errors import XinfangError
        raise XinfangError(
            f"数据库版本（{current}）比本程序（{SCHEMA_VERSION}）新，请安装最新版本的程序后再打开。"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.atomic("EXCLUSIVE"):
            STEPS[version - 1](db)
            db.execute_sql(f"PRAGMA user_version = {version}")
    return SCHEMA_VERSION
