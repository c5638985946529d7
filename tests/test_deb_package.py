"""The .deb for domestic Linux: its fields, files and desktop entry, built here from a stand-in
frozen folder (the real one takes PyInstaller minutes; CI builds and checks that one with
installer/check-deb.sh)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = ROOT / "installer" / "xinfang-desktop.desktop"


def _list(script: str, name: str) -> list[str]:
    body = re.search(rf"^{name}=\(\n(.*?)^\)", (ROOT / script).read_text(encoding="utf-8"), re.M | re.S).group(1)
    return body.split()


def test_the_desktop_entry_starts_the_window_program_with_its_icon_and_name():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    e = entry["Desktop Entry"]
    gui_scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["gui-scripts"]
    app = (ROOT / "xinfang_desktop" / "gui" / "app.py").read_text(encoding="utf-8")
    assert e["Exec"] in gui_scripts                                   # xinfang-desktop
    assert f'setApplicationName("{e["Name"]}")' in app                # the name the window uses
    assert f'setDesktopFileName("{e["Icon"]}")' in app and e["StartupWMClass"] == e["Icon"]
    assert e["GenericName[zh_CN]"] == "信访工作平台" and e["Type"] == "Application" and e["Terminal"] == "false"


def test_the_package_depends_on_what_the_tests_install_for_qt():
    assert _list("installer/build-deb.sh", "QT_DEPENDS") == _list("scripts/setup.sh", "QT_PACKAGES")


@pytest.mark.skipif(not (shutil.which("dpkg-deb") and shutil.which("objdump")), reason="needs dpkg-deb and objdump")
def test_a_package_built_from_a_frozen_folder(tmp_path):
    frozen = tmp_path / "frozen"
    (frozen / "_internal" / "xinfang_desktop" / "resources").mkdir(parents=True)
    for name in ("xinfang", "xinfang-desktop"):
        shutil.copy2(shutil.which("true"), frozen / name)      # a real ELF program: its C library version is read
    out = tmp_path / "out"
    env = {**os.environ, "XINFANG_SKIP_SYSTEM": "1"}
    subprocess.run(["bash", "installer/build-deb.sh", "--out", str(out), str(frozen)], cwd=ROOT, env=env,
                   check=True, capture_output=True, text=True, encoding="utf-8")
    debs = list(out.glob("*.deb"))
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, encoding="utf-8").stdout.strip()
    assert [d.name for d in debs] == [f"xinfang-desktop_{_debian_version()}_{arch}.deb"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]     # the staging tree is gone

    def field(name):
        return subprocess.run(["dpkg-deb", "--field", str(debs[0]), name], capture_output=True, text=True,
                              encoding="utf-8", check=True).stdout.strip()

    depends = field("Depends")
    assert re.match(r"libc6 \(>= 2\.\d+\), ", depends) and depends.endswith("fonts-noto-cjk")
    assert "libglib2.0-0 | libglib2.0-0t64" in depends and "libxcb-cursor0" in depends
    assert "libcups2 | libcups2t64" in depends          # Qt's print support lists printers through CUPS
    contents = subprocess.run(["dpkg-deb", "--contents", str(debs[0])], capture_output=True, text=True,
                              encoding="utf-8", check=True).stdout
    assert "./usr/bin/xinfang -> /opt/xinfang-desktop/xinfang" in contents
    assert "./usr/bin/xinfang-desktop -> /opt/xinfang-desktop/xinfang-desktop" in contents
    assert "./usr/share/applications/xinfang-desktop.desktop" in contents
    for size in (16, 32, 48, 256, 512):
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/xinfang-desktop.png" in contents
    # nothing of the user's: data lives in ~/.local/share/xinfang_desktop, never in the package (the
    # program's own package data, fonts and code tables, is in its folder under _internal/xinfang_desktop/)
    own = "/opt/xinfang-desktop/_internal/xinfang_desktop/"
    assert own + "resources/" in contents
    assert "xinfang_desktop" not in contents.replace(own, "").replace("/opt/xinfang-desktop", "")
    assert all(line.split()[1] == "root/root" for line in contents.splitlines())
    # no maintainer scripts: removing the package cannot touch anything it did not install
    control = subprocess.run(["dpkg-deb", "--info", str(debs[0])], capture_output=True, text=True,
                             encoding="utf-8", check=True).stdout
    assert not re.search(r"\b(preinst|postinst|prerm|postrm)\b", control)


def _debian_version() -> str:
    return subprocess.run(["python3", "installer/versions.py", "debian"], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", check=True).stdout.strip()
