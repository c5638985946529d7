"""Receipt (受理告知书) rendering time, cold and warm, beside a blank reportlab A4 page in the same run.

    python benchmarks/documents.py [--repeat 50]

Also times the path the window takes — PrintService.render (read the case, render, audit) on a
real SQLite file — and the preview's pdfium rasterisation of the receipt at screen resolution.
Prints the figures; the last line is one JSON object. Goal (issue 3): receipt ≤ 50 ms warm.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ADMIN, PASSWORD, new_bench_services, open_bench_services  # noqa: E402,F401


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def series(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(ms_since(t0))
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def blank_page() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.showPage()
    c.save()
    return buf.getvalue()


def cjk_page(font: str, text: str) -> bytes:
    """One A4 page of Chinese in the shipped body font: the cost of embedding a font subset."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(font, 16)
    for i in range(0, len(text), 28):
        c.drawString(80, 760 - i, text[i:i + 28])
    c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from xinfang_desktop.documents import render
    from xinfang_desktop.documents.samples import sample_case, sample_details
    import_ms = ms_since(t0)

    case, details = sample_case(), sample_details()["receipt"]
    t0 = time.perf_counter()
    first = render("receipt", case, details)          # cold: fonts loaded and checked on first use
    cold_ms = ms_since(t0)
    receipt = series(lambda: render("receipt", case, details), args.repeat)
    redacted = series(lambda: render("receipt", case, details, redacted=True), args.repeat)
    blank_cold_t0 = time.perf_counter()
    blank_page()
    blank_cold = ms_since(blank_cold_t0)
    blank = series(blank_page, args.repeat)
    from xinfang_desktop.documents import get_fonts

    body = get_fonts().body
    text = (case.request + case.facts + case.reasons)[:400]
    cjk_page(body, text)
    cjk = series(lambda: cjk_page(body, text), args.repeat)
    print(f"import documents: {import_ms:.0f} ms")
    print(f"receipt cold (first render in the process): {cold_ms:.1f} ms, {first.pages} page(s), "
          f"{len(first.pdf) // 1024} KiB")
    print(f"receipt warm: median {statistics.median(receipt):.1f} ms, p95 {p95(receipt):.1f} ms "
          f"(redacted: median {statistics.median(redacted):.1f} ms)")
    print(f"baseline blank reportlab A4 page: cold {blank_cold:.2f} ms, warm median {statistics.median(blank):.2f} ms")
    print(f"baseline one page of Chinese in the body font (subset embedded): warm median {statistics.median(cjk):.1f} ms")

    # The window's path: the case read from SQLite, the document rendered, the print audited.
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.printing import PrintService

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # Windows: SQLite may hold -wal a moment
        clock = FixedClock(datetime(2026, 11, 2, 9, 30))
        svc = new_bench_services(Path(tmp) / "data", clock)
        admin = svc.auth.initialize("350881102000", "admin", "bench-password-1", "王管理")
        people = [PetitionerInput(name=n, id_number=None, phone=f"1381234{i:04d}", is_representative=i < 2)
                  for i, n in enumerate(("欧阳娜娜", "张伟", "李娜", "王芳", "刘洋", "陈静"))]
        ref = svc.cases.register(admin, RegistrationInput(
            channel="走访", received_at=clock.now(), petitioners=people, category_code="0401",
            request="要求追讨拖欠的工资", facts="某公司拖欠2026年3月至8月工资", reasons="多次催讨未果", people_count=6))
        printer = svc.get(PrintService)
        printer.render(admin, ref.number, "receipt")
        service = series(lambda: printer.render(admin, ref.number, "receipt"), args.repeat)
        pdf = printer.render(admin, ref.number, "receipt").pdf
        svc.close()
    print(f"PrintService.render receipt (SQLite read + render + audit), warm: median "
          f"{statistics.median(service):.1f} ms, p95 {p95(service):.1f} ms")

    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage needs the application
    from xinfang_desktop.gui.print_preview import rasterise

    rasterise(pdf, 96)
    raster = series(lambda: rasterise(pdf, 96), max(5, args.repeat // 5))
    print(f"preview rasterisation at 96 dpi (pdfium): median {statistics.median(raster):.1f} ms")

    warm = statistics.median(receipt)
    print(json.dumps({
        "receipt_cold_ms": round(cold_ms, 1), "receipt_warm_median_ms": round(warm, 2),
        "receipt_warm_p95_ms": round(p95(receipt), 2), "blank_page_warm_ms": round(statistics.median(blank), 2),
        "cjk_page_warm_ms": round(statistics.median(cjk), 2),
        "receipt_vs_blank": round(warm / statistics.median(blank), 1),
        "service_receipt_median_ms": round(statistics.median(service), 2),
        "preview_raster_ms": round(statistics.median(raster), 1), "goal_warm_ms": 50, "goal_met": warm <= 50,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
