# 信访 Desktop — build the Windows folder and installer.
#
#   powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1
#
# Needs: Python 3.11 (64-bit, the "py" launcher) and Inno Setup 6.4+ (ISCC.exe).
# Produces dist\xinfang\ (xinfang-desktop.exe without a console, xinfang.exe with one) and
# dist\xinfang-desktop-setup-<version>.exe. PyInstaller runs in its own venv build\venv.
param(
    [switch]$SkipInstaller,
    [string]$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

$venv = "build\venv"
$py = "$venv\Scripts\python.exe"
if (-not (Test-Path $py)) {
    Write-Host "[build] creating $venv"
    py -3.11 -m venv $venv
}
Write-Host "[build] pip install -e .[build]"
& $py -m pip install --quiet --disable-pip-version-check -e ".[build]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Write-Host "[build] compiling forms (ui\*.ui)"
& $py -m xinfang_desktop.gui.forms | Out-Null
if ($LASTEXITCODE -ne 0) { throw "form compilation failed" }

Write-Host "[build] pyinstaller installer\xinfang.spec"
& "$venv\Scripts\pyinstaller.exe" --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\xinfang.spec
if ($LASTEXITCODE -ne 0) { throw "pyinstaller failed" }

# Smoke run of the frozen programs before packaging them.
& dist\xinfang\xinfang.exe --version
if ($LASTEXITCODE -ne 0) { throw "xinfang.exe --version failed" }
$env:QT_QPA_PLATFORM = "offscreen"
$selfTest = Start-Process -FilePath dist\xinfang\xinfang-desktop.exe -ArgumentList "--self-test" -Wait -PassThru
Remove-Item Env:QT_QPA_PLATFORM
if ($selfTest.ExitCode -ne 0) { throw "xinfang-desktop.exe --self-test failed ($($selfTest.ExitCode))" }

$version = (& $py installer\versions.py).Trim()
$numericVersion = (& $py installer\versions.py windows).Trim()   # 0.2.0rc1 -> 0.2.0.30001
if ($SkipInstaller) { Write-Host "[build] dist\xinfang ready (version $version)"; exit 0 }
if (-not (Test-Path $Iscc)) { throw "Inno Setup not found at $Iscc (install Inno Setup 6.4+ or pass -Iscc)" }
Write-Host "[build] Inno Setup: installer\xinfang.iss (version $version)"
& $Iscc "/DAppVersion=$version" "/DAppNumericVersion=$numericVersion" installer\xinfang.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Write-Host "[build] dist\xinfang-desktop-setup-$version.exe"
