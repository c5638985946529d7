"""The three kinds of matter (第二十九、三十、三十一条) and the path each takes.

The clerk confirms the kind at intake (the category suggests it). The kind decides which ways of
handling are open (`routes`), whether this office writes a 信访处理意见书 with review rights, and
what a written answer may conclude:

* 建议意见 (第二十九条): studied and answered — 采纳 / 部分采纳 / 不采纳, no review rights;
* 检举控告 (第三十条): forwarded to 纪检监察 or the competent organ (第二十二条第二款), the accuser's
  identity never sent to the accused (第三十条第三款); no 处理意见书 from this office;
* 申诉求决 (第三十一条): items 一 to 五 belong to another legal procedure — the petitioner is told
  in writing where it lies, or the matter is forwarded to the organ whose duty it is; item 六 is
  the petition procedure proper: 处理意见书 (第三十二条) within 60 days (第三十四条), with
  review rights (第三十五、三十六条).

A case registered before kinds existed has no kind recorded; it keeps every path it had.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import InvalidInput


class MatterType(str, Enum):
    SUGGESTION = "suggestion"    # 建议意见类 (第二十九条)
    ACCUSATION = "accusation"    # 检举控告类 (第三十条)
    CLAIM = "claim"              # 申诉求决类 (第三十一条)

    @property
    def label(self) -> str:
        return {"suggestion": "建议意见类", "accusation": "检举控告类", "claim": "申诉求决类"}[self.value]

    @property
    def article(self) -> str:
        return {"suggestion": "第二十九条", "accusation": "第三十条", "claim": "第三十一条"}[self.value]


# 第三十一条's six items, as the clerk chooses among them.
CLAIM_ITEMS: dict[int, str] = {
    1: "应当通过诉讼、复议、检察或公安机关法律程序处理的（涉法涉诉）",
    2: "应当通过仲裁解决的",
    3: "可以通过党员申诉、申请复审等解决的",
    4: "可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决的",
    5: "申请查处违法行为、履行保护人身权或者财产权等合法权益职责的",
    6: "不属于以上情形的（听取陈述、调查核实，出具信访处理意见书）",
}
CLAIM_ITEM_SHORT: dict[int, str] = {1: "涉法涉诉", 2: "仲裁", 3: "党员申诉、复审", 4: "行政程序",
                                    5: "查处违法、履行职责", 6: "信访处理意见书"}
CHINESE_ITEM = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


@dataclass(frozen=True)
class Matter:
    """The kind of a matter; `item` is 第三十一条's item for a 申诉求决 matter, else None.

    `Matter(None, None)` is a matter registered before kinds were recorded (legacy)."""

    type: MatterType | None
    item: int | None = None

    @property
    def legacy(self) -> bool:
        return self.type is None

    @property
    def label(self) -> str:
        if self.type is None:
            return "未区分类型（早期登记）"
        if self.type == MatterType.CLAIM and self.item:
            return f"{self.type.label}（第三十一条第{CHINESE_ITEM[self.item]}项：{CLAIM_ITEM_SHORT[self.item]}）"
        return self.type.label

    @property
    def article(self) -> str:
        """「第三十一条第六项」, 「第二十九条」: the article the kind rests on."""
        if self.type is None:
            return ""
        if self.type == MatterType.CLAIM and self.item:
            return f"第三十一条第{CHINESE_ITEM[self.item]}项"
        return self.type.article

    # -- the path ---------------------------------------------------------------------------
    @property
    def decides(self) -> bool:
        """This office may write a 信访处理意见书 with review rights (第三十一条第六项, 第三十二条)."""
        return self.type is None or (self.type == MatterType.CLAIM and self.item == 6)

    @property
    def answers(self) -> bool:
        """This office studies and answers it (建议意见, 第二十九条): 采纳 / 部分采纳 / 不采纳."""
        return self.type == MatterType.SUGGESTION

    @property
    def leads_out(self) -> bool:
        """Belongs to another legal procedure (第三十一条第一至五项)."""
        return self.type == MatterType.CLAIM and self.item is not None and self.item <= 5

    @property
    def has_review(self) -> bool:
        return self.decides

    def routes(self) -> tuple[str, ...]:
        """The Route values (workflow.Route) open to this kind."""
        if self.type is None:
            return ("direct", "transfer", "assign", "other")
        if self.type == MatterType.ACCUSATION:
            return ("transfer",)
        if self.leads_out:
            return ("other", "transfer")
        return ("direct", "transfer", "assign")

    def as_data(self) -> dict:
        out: dict = {}
        if self.type is not None:
            out["matter"] = self.type.value
            if self.item:
                out["claim_item"] = self.item
        return out


LEGACY = Matter(None, None)


def matter_of(data) -> Matter:
    """The kind recorded in a registration's (or correction's) event data."""
    raw = (data or {}).get("matter")
    if not raw:
        return LEGACY
    try:
        kind = MatterType(raw)
    except ValueError:
        return LEGACY
    item = (data or {}).get("claim_item")
    if kind == MatterType.CLAIM:
        return Matter(kind, item if isinstance(item, int) and 1 <= item <= 6 else 6)
    return Matter(kind, None)


def parse_matter(kind: str | None, item: int | str | None = None) -> Matter:
    """The kind a clerk or a command gave: a value or a label (建议意见 / 检举控告 / 申诉求决), and for
    申诉求决 the item 1–6 of 第三十一条 (6 when not given). Raises InvalidInput."""
    text = (kind or "").strip()
    if text.startswith("claim") and text[5:].isdigit() and item in (None, ""):
        text, item = "claim", text[5:]            # the compact form of the forms: claim1 … claim6
    found = None
    for m in MatterType:
        if text in (m.value, m.label, m.label.removesuffix("类")):
            found = m
    if found is None:
        raise InvalidInput(f"事项类型无效：{kind!r}，应为建议意见、检举控告或申诉求决", field="matter")
    if found != MatterType.CLAIM:
        if item not in (None, ""):
            raise InvalidInput("只有申诉求决类事项才区分第三十一条的第几项", field="claim_item")
        return Matter(found, None)
    if item in (None, ""):
        return Matter(found, 6)
    try:
        n = int(item)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 6:
        raise InvalidInput(f"第三十一条的项数应为1至6，收到{item!r}", field="claim_item")
    return Matter(found, n)


def matter_code(matter: Matter) -> str:
    """The compact form of a kind: suggestion, accusation, claim1 … claim6 ("" for none recorded)."""
    if matter.type is None:
        return ""
    return f"claim{matter.item}" if matter.type == MatterType.CLAIM else matter.type.value


MATTER_CHOICES: tuple[tuple[str, str], ...] = (
    ("suggestion", "建议意见类（第二十九条）"),
    ("accusation", "检举控告类（第三十条）"),
    *((f"claim{i}", f"申诉求决类·第{CHINESE_ITEM[i]}项：{CLAIM_ITEM_SHORT[i]}") for i in range(1, 7)),
)


def default_matter(category_matter: str | None) -> Matter:
    """The kind a category suggests (its `matter` in the category table); 第三十一条第六项 otherwise."""
    if category_matter:
        if category_matter.startswith("claim"):
            tail = category_matter[5:]
            return Matter(MatterType.CLAIM, int(tail) if tail.isdigit() and 1 <= int(tail) <= 6 else 6)
        try:
            return Matter(MatterType(category_matter), None)
        except ValueError:
            pass
    return Matter(MatterType.CLAIM, 6)
