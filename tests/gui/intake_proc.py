"""The intake page in a process of its own, for the crash test (test_intake_page.py).

    python intake_proc.py DATA_DIR type    types a registration, prints DRAFT <form json> once the
                                           draft is saved, then waits to be killed
    python intake_proc.py DATA_DIR check   prints OFFERED when the draft is offered, restores it,
                                           prints STATE <form json> and exits
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from xinfang_desktop.gui.app import make_app  # noqa: E402
from xinfang_desktop.gui.context import AppContext  # noqa: E402
from xinfang_desktop.gui.pages.intake import IntakePage  # noqa: E402
from xinfang_desktop.gui.tasks import TaskRunner  # noqa: E402
from xinfang_desktop.services.access import unlock  # noqa: E402

PASSWORD = "admin-pass-1"


def commit(widget, text: str) -> None:
    widget.setFocus()
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def say(tag: str, payload=None) -> None:
    print(tag if payload is None else f"{tag} {json.dumps(payload, ensure_ascii=False)}", flush=True)


def type_form(page: IntakePage) -> None:
    r = page.rows[0]
    commit(r.name, "欧阳娜娜")
    QTest.keyClicks(r.id_number, "11010519491231002X")
    QTest.keyClicks(r.phone, "13812345678")
    commit(r.address, "永福镇李庄村12号")
    r2 = page.add_row(focus=True)
    commit(r2.name, "张伟")
    QTest.keyClicks(r2.phone, "0597-7531234")
    r2.rep.setChecked(True)
    page.channel.setCurrentIndex(1)
    QTest.keyClicks(page.category.edit, "qx")
    QTest.keyClick(page.category.edit, Qt.Key_Return)
    commit(page.concerned_unit, "永福镇某建筑公司")
    commit(page.request, "要求支付拖欠的工资")
    commit(page.facts, "2026年3月至8月的工资未发\n多次讨要无果")
    commit(page.reasons, "有考勤记录为证")
    page.people_count.setFocus()
    QTest.keyClick(page.people_count, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(page.people_count, "7")


def main() -> int:
    data_dir, mode = Path(sys.argv[1]), sys.argv[2]
    app = make_app(sys.argv[:1])
    opened = unlock(data_dir, "admin", PASSWORD)
    services, actor = opened.services, opened.actor
    tasks = TaskRunner()
    page = IntakePage(AppContext(services, tasks, actor))
    page.resize(1200, 760)
    page.show()
    if mode == "type":
        page.draft_saved.connect(lambda _at: say("DRAFT", page.form_state()))
        QTimer.singleShot(0, lambda: type_form(page))
        return app.exec()

    def offered() -> None:
        say("OFFERED", {"banner": page.draft_text.text(), "blank": page.is_blank()})
        page.restore_button.click()
        say("STATE", page.form_state())
        tasks.wait()
        app.quit()

    page.draft_offered.connect(lambda: QTimer.singleShot(0, offered))
    QTimer.singleShot(10_000, lambda: (say("NO-DRAFT"), app.quit()))
    app.exec()
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
