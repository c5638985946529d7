"""Read the bundled reference tables (categories, divisions) from `resources/`."""

from __future__ import annotations

from functools import cache

from .domain.categories import CategoryTable, parse_category_table
from .domain.divisions import DivisionTable, parse_divisions_csv
from .paths import resource

DIVISIONS_FILE = "divisions-350881.csv"


@cache
def load_default_categories() -> CategoryTable:
    return parse_category_table(resource("categories.json").read_text(encoding="utf-8-sig"))


@cache
def load_default_divisions() -> DivisionTable:
    return DivisionTable(parse_divisions_csv(resource(DIVISIONS_FILE).read_text(encoding="utf-8-sig")))
