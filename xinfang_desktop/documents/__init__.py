"""Printed documents (reportlab; no Qt, no database).

Each document is a function ``render_<name>(case, [details], *, redacted=False, issued_on=None)``
returning a :class:`RenderedDocument` (``.title``, ``.pdf`` bytes, ``.pages``, ``.missing``).
Rendering never drops a character silently: ``.missing`` lists, by field, every character that no
available font can print (``str(item)`` reads e.g. ``"信访人1姓名：𠈌"``), so the GUI renders,
and warns by name before printing when ``.missing`` is not empty.

:data:`DOCUMENTS` maps a document name to its :class:`DocumentKind` (label, details type,
renderer); :func:`register_document` adds a new one (调解协议书, board printouts, …) and
:func:`render` renders by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .fonts import FontSet, get_fonts, missing_glyphs
from .layout import MissingGlyph, RenderedDocument
from .model import (
    AnswerDetails,
    DecisionDetails,
    DocCase,
    DocParty,
    ExtensionDetails,
    FollowUpDetails,
    NoticeDetails,
    ReceiptDetails,
    RefusalDetails,
    ReportDetails,
    ReviewDetails,
    RoutingDetails,
)
from .notices import (
    ACCUSATION_NOTICE,
    qr_payload,
    render_answer,
    render_decision,
    render_extension,
    render_followup,
    render_notice,
    render_receipt,
    render_refusal,
    render_register,
    render_report,
    render_review,
    render_transfer,
)


@dataclass(frozen=True)
class DocumentKind:
    """A printable document: its name, Chinese label, the details type it takes (None when it
    needs only the case) and the renderer."""

    name: str
    label: str
    details_type: type | None
    render: Callable[..., RenderedDocument]


DOCUMENTS: dict[str, DocumentKind] = {}


def register_document(kind: DocumentKind) -> None:
    if kind.name in DOCUMENTS:
        raise ValueError(f"document {kind.name!r} is already registered")
    DOCUMENTS[kind.name] = kind


for _k in (
    DocumentKind("register", "信访事项登记表", None, render_register),
    DocumentKind("receipt", "信访事项接收告知书", ReceiptDetails, render_receipt),
    DocumentKind("notice", "办理途径告知书（受理、转送、交办、其他法定途径）", NoticeDetails, render_notice),
    DocumentKind("refusal", "不予受理／不再受理告知书", RefusalDetails, render_refusal),
    DocumentKind("transfer", "转送单／交办单", RoutingDetails, render_transfer),
    DocumentKind("extension", "延期办理告知书", ExtensionDetails, render_extension),
    DocumentKind("decision", "信访处理意见书", DecisionDetails, render_decision),
    DocumentKind("answer", "信访事项答复意见书（建议意见）", AnswerDetails, render_answer),
    DocumentKind("review", "复查意见书／复核意见书", ReviewDetails, render_review),
    DocumentKind("followup", "信访事项回访记录", FollowUpDetails, render_followup),
    DocumentKind("report", "信访事项办结报告", ReportDetails, render_report),
):
    register_document(_k)


def render(name: str, case: DocCase, details=None, **options) -> RenderedDocument:
    """Render the document called ``name`` (a key of :data:`DOCUMENTS`)."""
    kind = DOCUMENTS[name]
    if kind.details_type is None:
        return kind.render(case, **options)
    if not isinstance(details, kind.details_type):
        raise TypeError(f"{name} needs {kind.details_type.__name__}, got {type(details).__name__}")
    return kind.render(case, details, **options)


__all__ = [
    "ACCUSATION_NOTICE",
    "AnswerDetails",
    "FollowUpDetails",
    "NoticeDetails",
    "ReportDetails",
    "ReviewDetails",
    "render_answer",
    "render_followup",
    "render_notice",
    "render_report",
    "render_review",
    "DOCUMENTS",
    "DecisionDetails",
    "DocCase",
    "DocParty",
    "DocumentKind",
    "ExtensionDetails",
    "FontSet",
    "MissingGlyph",
    "ReceiptDetails",
    "RefusalDetails",
    "RenderedDocument",
    "RoutingDetails",
    "get_fonts",
    "missing_glyphs",
    "qr_payload",
    "register_document",
    "render",
    "render_decision",
    "render_extension",
    "render_receipt",
    "render_refusal",
    "render_register",
    "render_transfer",
]
