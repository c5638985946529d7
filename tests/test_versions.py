"""The version as the installers spell it: four numbers for Windows, dpkg's order for Debian."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("installer_versions", ROOT / "installer" / "versions.py")
versions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(versions)

# oldest first
RELEASES = ["0.2.0.dev1", "0.2.0.dev3", "0.2.0a1", "0.2.0a2", "0.2.0b1", "0.2.0rc1", "0.2.0rc2", "0.2.0",
            "0.2.0.post1", "0.2.1", "0.10.0", "1.0"]


def test_the_version_comes_from_the_package():
    import xinfang_desktop

    assert versions.read_version(ROOT) == xinfang_desktop.__version__


@pytest.mark.parametrize("version,windows,debian", [
    ("0.1.0", "0.1.0.40000", "0.1.0"),
    ("0.2.0rc1", "0.2.0.30001", "0.2.0~rc1"),
    ("0.2.0a3", "0.2.0.10003", "0.2.0~a3"),
    ("1.0", "1.0.0.40000", "1.0.0"),
    ("0.2.0.post2", "0.2.0.40002", "0.2.0+post2"),
    ("0.2.0.dev4", "0.2.0.4", "0.2.0~~dev4"),
])
def test_spellings(version, windows, debian):
    assert versions.windows_version(version) == windows
    assert versions.debian_version(version) == debian


def test_windows_numbers_order_like_the_releases():
    numbers = [tuple(map(int, versions.windows_version(v).split("."))) for v in RELEASES]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert all(len(n) == 4 and max(n) <= 65535 for n in numbers)


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg is not installed")
def test_debian_versions_order_like_the_releases():
    spelled = [versions.debian_version(v) for v in RELEASES]
    for older, newer in zip(spelled, spelled[1:]):
        assert subprocess.run(["dpkg", "--compare-versions", older, "lt", newer]).returncode == 0, (older, newer)


@pytest.mark.parametrize("bad", ["0.2.0-rc1", "v1.0", "1.0.0.0.0", "1.2.3rc", "70000.0.0"])
def test_unknown_forms_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError) as caught:
        versions.windows_version(bad)
    assert bad in str(caught.value)


def test_the_installer_takes_the_four_numbers():
    iss = (ROOT / "installer" / "xinfang.iss").read_text(encoding="utf-8")
    ps1 = (ROOT / "installer" / "build-windows.ps1").read_text(encoding="utf-8")
    assert "VersionInfoVersion={#AppNumericVersion}" in iss
    assert "installer\\versions.py windows" in ps1 and "/DAppNumericVersion=" in ps1
