"""Frozen entry point of the window program `xinfang-desktop` (no console).

With --self-test (a build machine, CI) no failure may end in PyInstaller's "Unhandled exception"
window that nobody is there to dismiss: even a module missing from the bundle is printed (and
written to --self-test-log FILE) and ends the process with exit code 1."""

import sys


def _self_test_crashed() -> int:
    import traceback

    text = f"self-test: FAILED (the program did not start)\n{traceback.format_exc()}"
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            try:
                stream.write(text)
                stream.flush()
            except (OSError, ValueError, UnicodeError):
                pass
    args = sys.argv[1:]
    if "--self-test-log" in args and args.index("--self-test-log") + 1 < len(args):
        try:
            with open(args[args.index("--self-test-log") + 1], "w", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            pass
    return 1


if "--self-test" in sys.argv[1:]:
    try:
        from xinfang_desktop.gui.app import main

        code = main()
    except Exception:  # noqa: BLE001 - reported above, exit code 1
        code = _self_test_crashed()
    raise SystemExit(code)

from xinfang_desktop.gui.app import main  # noqa: E402

raise SystemExit(main())
