"""The program's version as the installers need it, from xinfang_desktop/__init__.py only.

    python installer/versions.py            # 0.2.0rc1   (as written)
    python installer/versions.py windows    # 0.2.0.30001 (four numbers: VersionInfoVersion, exe resources)
    python installer/versions.py debian     # 0.2.0~rc1  (sorts before 0.2.0 in dpkg and apt)

Windows version resources and Inno Setup's VersionInfoVersion take four numbers of 0-65535 and
reject "0.2.0rc1"; the fourth number orders a release's stages: .devN < aN < bN < rcN < final <
.postN. Standard library only: the PyInstaller spec and the build scripts run it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# PEP 440 in the normalised forms we write: 1.2, 1.2.3, 1.2.3a1 / b1 / rc1, .post1, .dev1
_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$")
_STAGE_BASE = {"dev": 0, "a": 10000, "b": 20000, "rc": 30000, "final": 40000}


def read_version(root: Path = ROOT) -> str:
    text = (root / "xinfang_desktop" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not found:
        raise SystemExit("xinfang_desktop/__init__.py 中没有 __version__ = \"…\"")
    return found.group(1)


def _parts(version: str) -> tuple[tuple[int, int, int], str, int, int | None, int | None]:
    m = _VERSION.match(version)
    if not m:
        raise ValueError(f"版本号 {version!r} 不是可识别的格式（例如 1.2.3、1.2.3rc1、1.2.3.post1、1.2.3.dev1）")
    major, minor, micro, pre, pre_n, post, dev = m.groups()
    release = (int(major), int(minor or 0), int(micro or 0))
    return release, pre or "", int(pre_n or 0), int(post) if post else None, int(dev) if dev else None


def windows_version(version: str) -> str:
    """Four numbers that order like the releases: 0.2.0.dev3 < 0.2.0a1 < 0.2.0rc1 < 0.2.0 < 0.2.0.post1."""
    release, pre, pre_n, post, dev = _parts(version)
    if pre:
        build = _STAGE_BASE[pre] + pre_n
    elif dev is not None and post is None:
        build = _STAGE_BASE["dev"] + dev
    else:
        build = _STAGE_BASE["final"] + (post or 0)
    numbers = (*release, build)
    if any(n > 65535 for n in numbers) or pre_n >= 10000 or (dev or 0) >= 10000:
        raise ValueError(f"版本号 {version!r} 的数字太大，Windows 版本信息每段最大 65535")
    return ".".join(map(str, numbers))


def debian_version(version: str) -> str:
    """dpkg's spelling: "~" sorts before anything (a pre-release), "+" after (a post-release)."""
    release, pre, pre_n, post, dev = _parts(version)
    out = ".".join(map(str, release))
    if pre:
        out += f"~{pre}{pre_n}"
    if post is not None:
        out += f"+post{post}"
    if dev is not None:
        out += f"~~dev{dev}"      # "~~" sorts before "~a1": a development build comes before its alphas
    return out


def main(argv: list[str]) -> int:
    version = read_version()
    kind = argv[0] if argv else "plain"
    convert = {"plain": str, "windows": windows_version, "debian": debian_version}.get(kind)
    if convert is None:
        print("用法：python installer/versions.py [plain|windows|debian]", file=sys.stderr)
        return 2
    print(convert(version))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
