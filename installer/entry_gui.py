"""Frozen entry point of the window program `xinfang-desktop` (no console)."""

from xinfang_desktop.gui.app import main

raise SystemExit(main())
