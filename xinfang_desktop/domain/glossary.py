"""The words the window uses: one word per concept, following the wording of the 《信访工作条例》
(2022) where it has one, with the synonyms the program used before and no longer shows.

Labels, headers and messages take their word from here where a concept is named in several places,
and tests/gui/test_vocabulary.py walks every page's visible strings for the retired words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    concept: str                    # what it means, in English, for the reader of the code
    word: str                       # the one word the window shows
    retired: tuple[str, ...] = ()   # synonyms no longer shown for this concept
    basis: str = ""                 # where the word comes from


TERMS: tuple[Term, ...] = (
    Term("the product's name", "信访工作平台", ("信访 Desktop", "信访Desktop"),
         "窗口、对话框标题和提示中的程序名称"),
    Term("how a petition is brought: visit, letter, phone, fax, online", "信访形式", ("信访方式",),
         "第十七条：采用信息网络、书信、电话、传真、走访等形式"),
    Term("the unit a petition is about", "被反映单位", ("反映对象",),
         "信访事项登记表、转送交办单的栏目名"),
    Term("recording every matter received", "登记", (),
         "第二十二、二十三条：收到信访事项，应当予以登记；统计中登记数含不予受理的事项"),
    Term("accepting a matter for handling (the 60 days run from it)", "受理", (),
         "第三十四条：办理期限自受理之日起算；不予受理、不再受理是它的反面"),
    Term("the size of a file", "大小", ("体积",), "文件大小"),
    Term("a date typed by hand", "年-月-日", ("YYYY-MM-DD", "yyyy-mm-dd"), "日期输入框的提示"),
    # The 同步 page (SYNC.md). 批次 stays the statistics' count of petitions, so the epoch is not called that.
    Term("the epoch: a run of a unit's sync bundles numbered from 1; a computer restored from backup starts a new one",
         "编号轮次", ("纪元", "新批次"), "同步包按“第 N 轮 第 M 号”编号；从备份恢复后开始新一轮编号"),
    Term("the signing key's fingerprint, compared with the stamped paper enrolment form", "密钥核对码",
         ("签名公钥指纹", "公钥指纹"), "同步密钥登记表上逐组核对的64位数字和字母"),
    Term("records of a received bundle held back because they broke a rule (quarantine)", "暂未导入的记录",
         ("隔离的记录", "隔离记录"), "同步页列出每条记录和暂未导入的原因"),
    # One word for 走访、来信、来电 alike (收件 is a letter's word); the intake form names the time by how
    # the matter came (来访时间、收信时间、来电时间). Old ledgers' 信访日期 stays a heading the import reads.
    Term("the date a matter was received, whatever its channel (the 15 days run from it)", "收到日期",
         ("收件日期",), "第二十三条第二款：书面告知的期限“自收到信访事项之日起”算"),
)

PRODUCT_NAME = TERMS[0].word
CHANNEL = TERMS[1].word
CONCERNED_UNIT = TERMS[2].word
SIZE = TERMS[5].word
EPOCH = TERMS[7].word
KEY_CHECK_CODE = TERMS[8].word
HELD_RECORDS = TERMS[9].word
RECEIVED_DATE = TERMS[10].word

# Placeholders of date fields: the format in Chinese, then an example a clerk can copy.
DATE_HINT = "年-月-日，如 2026-12-06"
DATE_TIME_HINT = "年-月-日 时:分，如 2026-12-06 09:30"

# word retired -> the word that replaces it
RETIRED: dict[str, str] = {old: t.word for t in TERMS for old in t.retired}


def retired_in(text: str) -> list[str]:
    """The retired words that occur in `text`, each with the word to use instead ("信访方式→信访形式")."""
    return [f"{old}→{new}" for old, new in RETIRED.items() if old in text]
