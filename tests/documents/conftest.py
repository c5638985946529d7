from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from xinfang_desktop.documents import get_fonts
from xinfang_desktop.documents.samples import sample_case, sample_details


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF with whitespace and page numbers (— 2 —) removed: line and page breaks
    fall anywhere in CJK text."""
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    return re.sub(r"—\d+—", "", text)


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def text_of():
    return pdf_text


@pytest.fixture(scope="session")
def fonts():
    return get_fonts()


@pytest.fixture
def case():
    return sample_case()


@pytest.fixture
def details():
    return sample_details()
