"""One source per rule (issue 14): a statutory limit is written once, as a constant of domain/workflow.py,
and every label, hint, rate definition and document sentence that states it is built from that constant.
A limit retyped as text ("15日") would silently disagree with the calculation when the rule changes."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import xinfang_desktop
from xinfang_desktop.domain import workflow as wf

PACKAGE = Path(xinfang_desktop.__file__).parent
LIMITS = sorted({wf.ROUTE_DAYS, wf.NOTICE_DAYS, wf.OBJECTION_WORKING_DAYS, wf.HANDLING_DAYS, wf.MAX_EXTENSION_DAYS,
                 wf.REVIEW_REQUEST_DAYS, wf.REVIEW_DAYS, wf.RECHECK_REQUEST_DAYS, wf.RECHECK_DAYS})
# "15日" / "30日内" / "5个工作日", but not a date ("2月30日") nor a longer number ("150日")
RETYPED = re.compile(r"(?<![\d月{])(" + "|".join(map(str, LIMITS)) + r")(日|天|个工作日)")


def visible_strings(path: Path):
    """The string literals of a module that are not docstrings (what a user can be shown)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    previous = tokenize.NEWLINE
    for tok in tokens:
        if tok.type == tokenize.STRING:
            docstring = previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL) and \
                tok.string.lstrip("rbuf").startswith(('"""', "'''"))
            if not docstring:
                yield tok.start[0], tok.string
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok.type


def test_no_statutory_limit_is_retyped_in_a_visible_string():
    found = [f"{path.relative_to(PACKAGE)}:{line}: {text[:60]}"
             for path in sorted(PACKAGE.rglob("*.py")) for line, text in visible_strings(path)
             if RETYPED.search(text)]
    assert found == []


def test_the_check_finds_a_retyped_limit(tmp_path):
    """The check itself can fail: a hint with "15日" typed in is found, a date and a docstring are not."""
    module = tmp_path / "m.py"
    module.write_text('"""Docstring: 办理期限（60日）."""\nHINT = "15日内书面告知"\nDAY = "2月30日"\n', encoding="utf-8")
    assert [t for _, t in visible_strings(module) if RETYPED.search(t)] == ['"15日内书面告知"']
