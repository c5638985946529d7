"""The office's own settings that documents and the workflow rest on (设置 → 本单位).

* who signs: the handling office (信访办) and the organ that decides (for a township the 镇人民政府);
* where a petitioner goes for 复查 and 复核 (第三十五、三十六条): the superior of the deciding organ,
  and that body's superior — never hard-coded, defaults from the division table;
* the 文号 prefix of each kind of document (永信告〔2026〕12号: prefix, year, sequence);
* after how many days an entry counts as 补录 (a received date long before it was entered).

Defaults come from the division table, so a new office prints sensible names before anyone opens
the settings; every change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..domain.errors import InvalidInput
from ..domain.text import clean_text
from ..store import setting_keys
from ..store.models import Setting, Unit
from .audit import audit
from .permissions import Actor, Permission, require

SETTING_KEY = setting_keys.OFFICE
DEFAULT_LATE_ENTRY_DAYS = 3

# The documents that carry a 文号, with the character that marks each kind in the default prefix.
NUMBERED_DOCUMENTS: dict[str, tuple[str, str]] = {
    "receipt": ("收", "信访事项接收告知书"),
    "notice": ("告", "办理途径告知书"),
    "refusal": ("不受", "不予受理／不再受理告知书"),
    "transfer": ("转", "转送单"),
    "assign": ("交", "交办单"),
    "extension": ("延", "延期办理告知书"),
    "decision": ("处", "信访处理意见书"),
    "answer": ("答", "建议意见答复书"),
    "review": ("复查", "复查意见书"),
    "recheck": ("复核", "复核意见书"),
    "report": ("报", "办结报告"),
}


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str                 # 承办（信访工作机构）: 漳平市永福镇信访办公室
    organ_name: str                  # 作出决定的机关: 漳平市永福镇人民政府
    review_body: str                 # 复查机关: the deciding organ's superior, 漳平市人民政府
    recheck_body: str                # 复核机关: the review body's superior ("" when not set)
    phone: str | None = None
    late_entry_days: int = DEFAULT_LATE_ENTRY_DAYS
    prefixes: dict[str, str] = field(default_factory=dict)   # document -> 文号 prefix (永信告)

    def prefix(self, document: str) -> str:
        return self.prefixes.get(document) or ""

    def number(self, document: str, year: int, seq: int) -> str:
        return f"{self.prefix(document)}〔{year}〕{seq}号"


class OfficeService:
    def __init__(self, services):
        self.services = services

    def defaults(self) -> OfficeSettings:
        unit = Unit.get_or_none(Unit.is_self == True)  # noqa: E712
        return self._own_defaults(unit.code if unit else None, unit.name if unit else "", unit.kind if unit else None)

    def _own_defaults(self, code: str | None, name: str, kind: str | None) -> OfficeSettings:
        """This unit's defaults, from its row (code None: no row yet, the code set at initialisation)."""
        return self.defaults_for(code or self.services.unit_code, name if code else "", kind)

    def defaults_for(self, code: str, name: str = "", kind: str | None = None) -> OfficeSettings:
        """The names a unit signs with, from the division table (a township: 漳平市永福镇信访办公室,
        decided by 漳平市永福镇人民政府, reviewed by 漳平市人民政府)."""
        if not name or kind is None:
            other = Unit.get_or_none(Unit.code == code)
            name = name or (other.name if other else "")
            kind = kind or (other.kind if other else None)
        divisions = self.services.divisions
        own = divisions.get(code).name if code in divisions else name
        county_code = code[:6] + "000000"
        county = divisions.get(county_code).name if county_code in divisions else ""
        if kind == "city" or code[6:] == "000000":
            office, organ, review = f"{own}信访局", f"{own}人民政府", ""
        else:
            office, organ, review = f"{county}{own}信访办公室", f"{county}{own}人民政府", f"{county}人民政府"
        short = own[:1]
        prefixes = {doc: f"{short}信{mark}" for doc, (mark, _) in NUMBERED_DOCUMENTS.items()}
        return OfficeSettings(office_name=office, organ_name=organ, review_body=review, recheck_body="",
                              prefixes=prefixes)

    def settings(self) -> OfficeSettings:
        # This unit's row and the stored settings in one statement: every registration and recorded action
        # reads them, and on PostgreSQL each statement is a round trip for the desk.
        code, name, kind, raw = Setting._meta.database.execute_sql(
            "SELECT u.code, u.name, u.kind, (SELECT value FROM setting WHERE key = ?) "
            "FROM (SELECT 1) AS one LEFT JOIN unit AS u ON u.is_self = 1 LIMIT 1", (SETTING_KEY,)).fetchone()
        base = self._own_defaults(code, name or "", kind)
        value = Setting.value.python_value(raw)
        stored: dict[str, Any] = value if isinstance(value, dict) else {}
        prefixes = {**base.prefixes, **{k: v for k, v in (stored.get("prefixes") or {}).items()
                                        if k in NUMBERED_DOCUMENTS and isinstance(v, str) and v}}
        values = {k: stored[k] for k in ("office_name", "organ_name", "review_body", "recheck_body", "phone",
                                         "late_entry_days") if k in stored}
        return replace(base, **values, prefixes=prefixes)

    def save(self, actor: Actor, **changes: Any) -> OfficeSettings:
        """Change some settings (checked first; nothing is written when one is wrong)."""
        require(actor, Permission.MANAGE_SETTINGS)
        current = self.settings()
        values = asdict(current)
        for name in ("office_name", "organ_name", "review_body", "recheck_body"):
            if name in changes:
                values[name] = clean_text(changes[name], label=_LABELS[name], field=name,
                                          required=name not in ("recheck_body", "review_body"), limit=60,
                                          multiline=False) or ""
        if "phone" in changes:
            values["phone"] = clean_text(changes["phone"], label="联系电话", field="phone", required=False, limit=40,
                                         multiline=False)
        if "late_entry_days" in changes:
            try:
                days = int(changes["late_entry_days"])
            except (TypeError, ValueError):
                days = -1
            if not 1 <= days <= 60:
                raise InvalidInput("补录天数应为1至60之间的整数", field="late_entry_days")
            values["late_entry_days"] = days
        if "prefixes" in changes:
            prefixes = dict(values["prefixes"])
            for doc, prefix in (changes["prefixes"] or {}).items():
                if doc not in NUMBERED_DOCUMENTS:
                    raise InvalidInput(f"没有这种文书：{doc}", field="prefixes")
                text = clean_text(prefix, label=f"{NUMBERED_DOCUMENTS[doc][1]}的文号前缀", field="prefixes",
                                  limit=20, multiline=False)
                if any(ch in text for ch in "〔〕[]0123456789"):
                    raise InvalidInput(f"{NUMBERED_DOCUMENTS[doc][1]}的文号前缀只写机关代字（如“永信告”），"
                                       "年份和序号由程序编排", field="prefixes")
                prefixes[doc] = text
            values["prefixes"] = prefixes
        new = OfficeSettings(**values)
        with self.services.db.atomic():
            Setting.insert(key=SETTING_KEY, value={k: v for k, v in asdict(new).items()}).on_conflict_replace().execute()
            audit(actor, "settings.office", None, {k: str(v) for k, v in changes.items()},
                  at=self.services.clock.now())
        return new


_LABELS = {"office_name": "信访工作机构名称", "organ_name": "作出处理决定的机关名称", "review_body": "复查机关",
           "recheck_body": "复核机关"}
