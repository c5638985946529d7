"""Frozen entry point of the `xinfang` command (console)."""

from xinfang_desktop.cli import main

raise SystemExit(main())
