"""The data folders of released schema versions kept in this folder: which commit of the program made
each, and what it holds. Read by make.py (which makes them) and tests/store/test_schema_upgrade.py
(which upgrades each and compares it with a new database)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNIT = "350881102000"            # 永福镇
CITY = "350881000000"            # the city whose key the township enrols (sync), in a folder not kept
ADMIN, ADMIN_PASSWORD = "admin", "admin-pass-1"
CLERK, CLERK_PASSWORD = "clerk1", "clerk-pass-1"
PASSPHRASE = "sync-key-pass-1"   # the sync keys' passphrase
CASES, SEED = 12, 1              # few: an encrypted database cannot be compressed
SCAN = b"\x89PNG\r\n\x1a\n" + b"fixture-scan"   # the attachment: a PNG signature, then a marker


@dataclass(frozen=True)
class Fixture:
    name: str           # the archive is <name>.zip
    commit: str         # the commit of the program that made it
    version: int        # PRAGMA user_version it was left at
    encrypted: bool     # SQLCipher with a keyring (from the encryption at rest on), else plain SQLite
    why: str

    @property
    def archive(self) -> Path:
        return HERE / f"{self.name}.zip"


# Every schema version main has had, at the commit where it came (and where a version's content changed
# under the same number, at the commit where it did).
FIXTURES: tuple[Fixture, ...] = (
    Fixture("v01", "6037674ce6efe8b6b6e9528065868cb017181617", 1, False,
            "the first schema: core tables and the search index; no command line yet (made through its services)"),
    Fixture("v06", "7e59ddbf3b4692f08cd4a4c3d3205efc588386d8", 6, False,
            "steps 2–6 declared by feature, their tables not yet written: a v6 database has only the core tables"),
    Fixture("v07", "be41d9cb6281e3af43eef4d737bdf021a8da3268", 7, False,
            "the case list's indexes; attention, sync and backup tables, not yet intake's or the ledger's"),
    Fixture("v09", "4d579035295239b1a67dd61e69ff8ee9b358af91", 9, False,
            "steps 8 and 9 declared empty: no statistics facts, no sync journal of attachments"),
    Fixture("v09-final", "8441cfdc86da2bc28f9ec453405de218e4d6e15f", 9, False,
            "the last v9: statistics facts, decided_on/followed_on, the sync journal of attachments and attention"),
    Fixture("v10-plaintext", "8732a414e5417df57aada1bf2381d07eeca944fd", 10, False,
            "trust at the boundaries (sync_held) and failed logins in the database (login_attempt), unencrypted"),
    Fixture("v12", "293da1ee204a107c408a14c66b51578cff4d038b", 12, True,
            "receipts (v11) and the regulation's paths (v12)"),
    Fixture("v13", "634282c91451f1a27ac16f364cf4d4582a920bbd", 13, True, "a person's history of changes"),
    Fixture("v14", "157e7dad7eb38729329f3eaab49209b744e3c96e", 14, True, "the 15-day window in the statistics facts"),
    Fixture("v15", "f327d35a9cd6d8048d62551ae48bae0fcf16fb52", 15, True,
            "the board by matter: review standing and handling unit on the case row, overrides on a matter"),
    Fixture("v16", "6654ff7fd7f2a0cf6298564f3f04f1fbe281cf79", 16, True,
            "信访评理 sessions, the 积案 register and its 化解 plans"),
    Fixture("v17", "605033bb3bd29adad2cf8c35d95889d8854fff77", 17, True, "meetings (督办会, 推进会, 联席会议, 专题会) and their tasks"),
    Fixture("v18", "a2f9b3fea63782f3ca45bf4c5d0b0b6dc2e3c64e", 18, True,
            "the settings' keys in one style (unit.code, unit.office, sync.epoch_needed); the journal reads unit.code"),
    Fixture("v19", "49261a37cdda8f6bc612df05b3d41cfeaf48c828", 19, True,
            "on PostgreSQL a row's version is BIGINT; on SQLite only the version number changed"),
    Fixture("v20", "f91b0c59a26a6946dcdbe8ac8494a81cbe71f632", 20, True, "the partial index of the matters awaiting 回访"),
    Fixture("v21", "d547da8735c14c84eac1e083205ed25fa0741fa6", 21, True,
            "on PostgreSQL the list's indexes over a column that may be NULL hold NULL first; SQLite: the number"),
    Fixture("v22", "e18d88a7fa4a459381c49df87ddfa26bd4ea6a0a", 22, True, "six single-column indexes of the case table dropped"),
    Fixture("v23", "40b1e358d2040e16077983d71b0e82b1158e2a35", 23, True, "on PostgreSQL the search keys' sequence; SQLite: the number"),
)

# A PostgreSQL database as the first program that made them left it (v15: store/migrations.FIRST_POSTGRESQL):
# <name>.zip holds its plain pg_dump (database.sql, without owners and privileges) and the data folder's
# keyring.json. Made by make.py with that commit's `init`, `user add` and `demo --cases PG_CASES`.
PG_V15 = Fixture("v15-postgresql", "e9d2c390bf7a5f38b8a6a203c3ee6e081ddf9f10", 15, True,
                 "the first PostgreSQL databases (v15), before steps 16-18 ran on PostgreSQL")
PG_CASES = 50
