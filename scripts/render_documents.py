"""Render every printable document for a realistic sample case into a folder, and time it.

    python scripts/render_documents.py OUT_DIR [--redacted] [--long] [--repeat N]

Writes OUT_DIR/<name>.pdf (and <name>-redacted.pdf with --redacted; with --long the facts text is
about 20,000 characters) and prints, per document, the warm render time (fonts already
registered; median of N runs), the page count and any character that would not print.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfang_desktop.documents import DOCUMENTS, get_fonts, render  # noqa: E402
from xinfang_desktop.documents.samples import FACTS, sample_case, sample_details  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--redacted", action="store_true", help="also write redacted copies")
    ap.add_argument("--long", action="store_true", help="use a ~20,000-character facts text")
    ap.add_argument("--repeat", type=int, default=10, help="warm renders to time per document")
    args = ap.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    fonts = get_fonts()
    print(f"fonts registered in {(time.perf_counter() - t0) * 1000:.0f} ms: "
          f"body {fonts.body}, title {fonts.title}, heading {fonts.heading}")

    case = sample_case()
    if args.long:
        case = sample_case(facts="\n".join([FACTS] * (20000 // len(FACTS) + 1))[:20000])
    details = sample_details()
    variants = [False, True] if args.redacted else [False]
    for name in DOCUMENTS:
        for redacted in variants:
            doc = render(name, case, details[name], redacted=redacted)  # first (cold) render
            times = []
            for _ in range(max(1, args.repeat)):
                t = time.perf_counter()
                doc = render(name, case, details[name], redacted=redacted)
                times.append((time.perf_counter() - t) * 1000)
            fname = f"{name}{'-redacted' if redacted else ''}.pdf"
            (args.out_dir / fname).write_bytes(doc.pdf)
            warn = "; cannot print: " + "，".join(doc.warnings()) if doc.missing else ""
            print(f"{fname:26} {doc.title:12} {doc.pages} page(s)  warm median "
                  f"{statistics.median(times):6.1f} ms  max {max(times):6.1f} ms{warn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
