import io
import re

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import NotAllowed
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.printing import PrintService


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_each_document_follows_the_state(services, clerk, handler, admin, clock):
    printer = services.get(PrintService)
    ref = services.cases.register(clerk, make_registration())
    receipt = printer.render(clerk, ref.number, "receipt")
    text = text_of(receipt.pdf)
    assert ref.number in text and ref.query_code in text and "欧阳娜娜" in text
    with pytest.raises(NotAllowed, match="尚未出具书面答复"):
        printer.render(clerk, ref.number, "decision")
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇劳动保障所"})
    assert printer.available(ref.number)["transfer"] is not None
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.EXTENDED, {"days": 20, "reason": "需调查", "approver": "镇长"})
    ext = text_of(printer.render(handler, ref.number, "extension").pdf)
    # 60 days from 11-03 end on Saturday 01-02: Monday 01-04; 20 more end on Sunday 01-24: Monday 01-25
    assert "镇长" in ext and "原定办理期限为2027年1月4日" in ext and "延长至2027年1月25日" in ext
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "责成企业支付工资"})
    decision = text_of(printer.render(handler, ref.number, "decision").pdf)
    assert "责成企业支付工资" in decision and "30日" in decision
    assert printer.available(ref.number)["refusal"] is not None


def test_redacted_document_hides_id_and_phone(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    text = text_of(services.get(PrintService).render(clerk, ref.number, "register", redacted=True).pdf)
    assert "11010519491231002X" not in text and "13812345678" not in text and "欧阳娜娜" in text


def test_accusation_transfer_leaves_out_the_complainant(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration(
        category_code="1501", petitioners=[PetitionerInput(name="举报人甲", phone="13811112222")]))
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "transfer", "unit": "市纪委监委"})
    text = text_of(services.get(PrintService).render(handler, ref.number, "transfer").pdf)
    assert "举报人甲" not in text and "13811112222" not in text
