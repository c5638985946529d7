"""Plans, sessions and outcomes are about resolving the matter, never about a person's movements or a control
measure on a person (DOMAIN.md, "What the product never does"): none of the words of such measures appears in the
new tables, their forms, pages, commands and documents."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.services.backlog import BacklogService, StepInput
from xinfang_desktop.services.deliberation import DeliberationInput, DeliberationService, Panelist

PKG = Path(__file__).resolve().parents[2] / "xinfang_desktop"
# Written in pieces so that this file is not itself a hit of a search for them.
FORBIDDEN = ("行" + "踪", "稳" + "控", "管" + "控", "布" + "控", "预警" + "人员")
SOURCES = ("store/models_resolution.py", "store/steps/v016_resolution.py", "domain/backlog.py",
           "domain/statistics_resolution.py", "services/backlog.py", "services/deliberation.py",
           "documents/deliberation.py", "commands/resolution.py", "gui/resolution_forms.py",
           "gui/pages/backlog.py", "gui/pages/deliberation.py", "services/demo_resolution.py")
TABLES = ("deliberation_session", "backlog_entry", "backlog_step")


def hits(text: str) -> list[str]:
    return [w for w in FORBIDDEN if w in text]


def test_no_such_word_in_the_sources_of_the_tables_forms_pages_commands_and_documents():
    for name in SOURCES:
        assert hits((PKG / name).read_text(encoding="utf-8")) == [], name


def test_no_such_word_in_the_tables_nor_in_what_they_hold_and_print(services, clerk, handler, tmp_path):
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.store.ownership import TABLE_LABELS

    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    d = services.get(DeliberationService).add(clerk, DeliberationInput(
        ref.number, "2026-11-02", "镇评理室", [Panelist("陈老支书", "退休村干部")], ["欧阳娜娜"], "双方陈述", "应结清欠薪", True))
    services.get(BacklogService).add(clerk, ref.number, basis="重复信访", reason="反复来访",
                                     steps=[StepInput("约谈企业负责人", "镇劳动保障所", "2026-11-30")])
    assert hits(schema_text(services.db)) == []
    assert hits(" ".join(TABLE_LABELS[t] for t in TABLES)) == []
    pdf = services.get(DeliberationService).document(clerk, d.id).pdf
    assert hits("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)) == []


def schema_text(db) -> str:
    """The three tables as the database holds them (columns, types, defaults, checks), with their indexes and
    triggers: SQLite's statements that made them, PostgreSQL's catalog."""
    from xinfang_desktop.store.engine import is_postgres

    from tests.schema_fixtures.compare import pg_schema_of

    if not is_postgres(db):
        text = " ".join(sql for (sql,) in db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN (?, ?, ?) AND sql IS NOT NULL", TABLES).fetchall())
        assert text.count("CREATE TABLE") == 3
        return text
    schema = pg_schema_of(db)
    assert set(TABLES) <= set(schema["table"])
    parts = [schema["table"][t] for t in TABLES]
    parts += [v for kind in ("index", "trigger") for v in schema[kind].values() if v[0] in TABLES]
    return " ".join(map(str, parts))
