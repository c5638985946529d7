"""Where the program's read-only resources and the user's data live."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import platformdirs

APP_NAME = "xinfang_desktop"


def resources_dir() -> Path:
    """The package's `resources/` folder, wherever the package is: a checkout, an installed wheel,
    the frozen bundle (PyInstaller keeps package data under its package's name). Fonts and icons are
    handed to reportlab and Qt by file name, so it must be a real folder: the package is never run
    from a zip."""
    folder = files(__package__) / "resources"
    if not isinstance(folder, Path):
        raise RuntimeError(f"程序文件不完整：找不到资源文件夹 {folder}，请重新安装信访工作平台。")
    return folder


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def default_data_dir() -> Path:
    """`XINFANG_HOME` overrides the per-user data directory."""
    env = os.environ.get("XINFANG_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
