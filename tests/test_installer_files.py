"""The Windows installer script refers only to files that exist in the checkout (or that the build
makes), so ISCC cannot stop on a missing file on the first Windows machine that tries.

Inno Setup resolves a relative source path against the script's folder, and `compiler:` against
its own installation, which holds Default.isl and the official translations only: Inno Setup 6
keeps ChineseSimplified.isl among the unofficial ones in its sources and does not install it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PureWindowsPath

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
ISS = INSTALLER / "xinfang.iss"
# [section] -> the parameters (or [Setup] directives) that name a file on the build machine
FILE_PARAMS = {
    "setup": {"setupiconfile", "licensefile", "infobeforefile", "infoafterfile", "wizardimagefile",
              "wizardsmallimagefile"},
    "languages": {"messagesfile", "licensefile", "infobeforefile", "infoafterfile"},
    "files": {"source"},
    "icons": {"iconfilename"},
}
COMPILER_FILES = {"default.isl"}   # what `compiler:` may name: installed with every Inno Setup 6


def _defines(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r'^\s*#define\s+(\w+)\s+"([^"]*)"', text, re.M)}


def _entries(text: str):
    """(section, parameter, value) for every [Setup] directive and every `Name: value;` parameter."""
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "//", "#")):
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            section = m.group(1).lower()
            continue
        if section == "code":
            continue
        if section == "setup":
            key, _, value = line.partition("=")
            yield section, key.strip().lower(), value.strip()
        else:
            for param in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line):
                yield section, param.group(1).lower(), param.group(2).strip().strip('"').replace('""', '"')


def built_by_the_build(path: PureWindowsPath) -> bool:
    """dist\\xinfang\\ is the PyInstaller folder the spec collects (COLLECT(..., name="xinfang"))."""
    spec = (INSTALLER / "xinfang.spec").read_text(encoding="utf-8")
    collected = re.search(r'COLLECT\(.*name="([^"]+)"', spec, re.S)
    parts = [p.lower() for p in path.parts]
    return len(parts) >= 3 and parts[:2] == ["..", "dist"] and collected is not None and parts[2] == collected.group(1)


def missing_files(text: str, folder: Path = INSTALLER) -> list[str]:
    defines = _defines(text)
    missing = []
    for section, param, value in _entries(text):
        if param not in FILE_PARAMS.get(section, ()):
            continue
        value = re.sub(r"\{#(\w+)\}", lambda m: defines.get(m.group(1).lower(), m.group(0)), value)
        for name in filter(None, (v.strip() for v in value.split(","))):
            if name.startswith("{"):
                continue            # {app}\…, {uninstallexe}: on the installed PC, not the build machine
            if name.lower().startswith("compiler:"):
                if name[len("compiler:"):].lower() not in COMPILER_FILES:
                    missing.append(f"[{section}] {param}: {name} (not installed by Inno Setup 6: ship it in installer/)")
                continue
            path = PureWindowsPath(name)
            if built_by_the_build(path):
                continue
            local = folder.joinpath(*path.parts)
            if not (list(local.parent.glob(local.name)) if any(c in name for c in "*?") else local.exists()):
                missing.append(f"[{section}] {param}: {name} (no {local.relative_to(ROOT) if local.is_relative_to(ROOT) else local})")
    return missing


def test_the_installer_script_refers_only_to_files_that_exist():
    assert missing_files(ISS.read_text(encoding="utf-8")) == []


def test_the_check_catches_what_stopped_the_build():
    before = '''
[Setup]
SetupIconFile=..\\resources\\icons\\missing.ico
[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\\ChineseSimplified.isl"
[Files]
Source: "..\\dist\\xinfang\\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs
Source: "..\\resources\\nothing-*.txt"; DestDir: "{app}"
[Icons]
Name: "{group}\\x"; Filename: "{app}\\x.exe"; IconFilename: "{app}\\x.exe"
'''
    found = missing_files(before)
    assert len(found) == 3
    assert "ChineseSimplified.isl" in found[1] and "Inno Setup 6" in found[1]


def test_the_script_and_its_messages_are_utf8():
    # Inno Setup 6.3+ reads UTF-8 without a BOM when the whole file decodes; anything else is
    # read in the ANSI code page and the Chinese text turns to mojibake
    for path in (ISS, INSTALLER / "ChineseSimplified.isl"):
        path.read_bytes().decode("utf-8")
    isl = (INSTALLER / "ChineseSimplified.isl").read_text(encoding="utf-8")
    assert "LanguageID=$0804" in isl and "ButtonNext=" in isl


def test_the_shipped_translation_is_the_unchanged_upstream_file_with_its_licence():
    licence = (INSTALLER / "ChineseSimplified.isl.LICENSE.txt").read_text(encoding="utf-8")
    recorded = re.search(r"SHA-256 ([0-9a-f]{64})", licence).group(1)
    assert hashlib.sha256((INSTALLER / "ChineseSimplified.isl").read_bytes()).hexdigest() == recorded
    assert "MIT License" in licence and "Inno Setup License" in licence


def test_the_readme_no_longer_claims_inno_setup_ships_simplified_chinese():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "自带简体中文" not in readme and "自带简体中文" not in ISS.read_text(encoding="utf-8")


def test_old_windows_is_refused_with_the_reason():
    iss = ISS.read_text(encoding="utf-8")
    assert re.search(r"^MinVersion=10\.0\.17763$", iss, re.M)      # Windows 10 1809: Qt 6's minimum
    refusal = re.search(r"^WinVersionTooLowError=(.+)$", iss, re.M).group(1)
    assert "Windows 7" in refusal and "Python 3.11" in refusal and "Qt 6" in refusal and "17763" in refusal


def test_powershell_scripts_carry_a_bom():
    # Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page: the Chinese strings break
    scripts = sorted(INSTALLER.glob("*.ps1"))
    assert len(scripts) >= 2
    for script in scripts:
        assert script.read_bytes().startswith(b"\xef\xbb\xbf"), script.name


def test_the_windows_build_script_cannot_hang_or_build_stale():
    ps1 = (INSTALLER / "build-windows.ps1").read_text(encoding="utf-8-sig")
    code = "\n".join(line for line in ps1.splitlines() if not line.lstrip().startswith("#"))
    assert "Start-Process" not in code and "-Wait" not in code        # no wait without a time limit
    assert "WaitForExit($Seconds * 1000)" in code and "taskkill.exe /PID $process.Id /T /F" in code
    assert "--self-test-log" in code and "RedirectStandardOutput = $true" in code
    assert "py -3.11" not in code and "Find-Python" in code               # no one hard-coded Python
    assert "$stamp -ne $stampWanted" in code and "Remove-Item -Recurse -Force $venv" in code


def test_the_installer_is_signed_when_a_certificate_is_configured():
    iss = ISS.read_text(encoding="utf-8")
    ps1 = (INSTALLER / "build-windows.ps1").read_text(encoding="utf-8-sig")
    assert re.search(r"#ifdef SignTool\s+SignTool=\{#SignTool\}\s+SignedUninstaller=yes\s+#endif", iss)
    assert "/DSignTool=xinfangsign" in ps1 and "/Sxinfangsign=" in ps1 and "$f" in ps1
    assert "XINFANG_SIGN_PFX" in ps1 and "XINFANG_SIGN_THUMBPRINT" in ps1 and "NOT SIGNED" in ps1


def test_the_windows_recipe_covers_what_only_windows_can_show():
    from xinfang_desktop.file_replace import FILE_IN_USE

    check = (INSTALLER / "check-windows.ps1").read_text(encoding="utf-8-sig")
    workflow = (INSTALLER / "windows-ci.yml").read_text(encoding="utf-8")
    assert 'C:\\Users\\张三 #%' in check and "$env:TEMP = " in check          # data and TEMP in an odd folder
    assert "/VERYSILENT" in check and "--self-test" in check                  # silent install, installed self-test
    assert "/CLOSEAPPLICATIONS" in check and "Start-Process -FilePath $gui" in check   # reinstall over a running window
    assert "unins" in check and "uninstalling removed the data" in check      # silent uninstall keeps the data
    assert '"Open", "Read", "None"' in check and FILE_IN_USE in check         # a file held open while saving
    assert "Language.Fonts.Hans" in workflow                                   # the Chinese font pack
    assert "build-windows.ps1" in workflow and "check-windows.ps1" in workflow
    assert "warn_default_encoding" in workflow
