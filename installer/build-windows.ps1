# 信访 Desktop — build the Windows folder and installer.
#
#   powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1 [-Python C:\Python312\python.exe] [-Clean]
#
# Needs: 64-bit Python 3.11-3.13 (found with the "py" launcher, newest first, or -Python) and
# Inno Setup 6.4+ (ISCC.exe; -Iscc to point at it). Produces dist\xinfang\ (xinfang-desktop.exe
# without a console, xinfang.exe with one) and dist\xinfang-desktop-setup-<version>.exe.
#
# PyInstaller runs in its own venv build\venv, rebuilt whenever pyproject.toml or the Python
# changes (or with -Clean), never reused stale. The frozen window program is self-tested with its
# output captured and a time limit; a hung or crashed self-test fails the build with its output.
#
# Code signing (optional): set XINFANG_SIGN_PFX (a .pfx file) with XINFANG_SIGN_PASSWORD, or
# XINFANG_SIGN_THUMBPRINT (a certificate in the Windows certificate store, e.g. on a USB token).
# XINFANG_SIGN_TIMESTAMP overrides the RFC 3161 timestamp server. The two exes, the setup and its
# uninstaller are then signed with SignTool (Windows SDK); without them nothing is signed and the
# build says so. This file is UTF-8 with a BOM: Windows PowerShell 5.1 reads it as ANSI otherwise.
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [string]$SignTool = "",
    [switch]$SkipInstaller,
    [switch]$Clean,
    [int]$SelfTestSeconds = 300
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
# Python writes UTF-8 to our pipes and reads UTF-8 files whatever the code page (GBK on Chinese Windows)
$env:PYTHONUTF8 = "1"
$env:PYTHONIOENCODING = "utf-8"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8

function Invoke-Captured {
    # Run a program with its output captured and a time limit; returns @{Code; Output}. A program
    # that does not finish in time is killed with its children and reported, never waited on forever.
    param([string]$File, [string[]]$Arguments, [int]$Seconds, [hashtable]$Environment = @{})
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = (Resolve-Path $File).Path
    $psi.Arguments = ($Arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join " "
    $psi.WorkingDirectory = (Get-Location).Path
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.StandardOutputEncoding = [System.Text.Encoding]::UTF8
    $psi.StandardErrorEncoding = [System.Text.Encoding]::UTF8
    foreach ($key in $Environment.Keys) { $psi.EnvironmentVariables[$key] = $Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($psi)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($Seconds * 1000)) {
        & taskkill.exe /PID $process.Id /T /F | Out-Null
        $process.WaitForExit()
        throw "$File $($Arguments -join ' ') did not finish within $Seconds s and was stopped. Output so far:`n$($stdout.Result)$($stderr.Result)"
    }
    $process.WaitForExit()   # also waits for the output to be read to the end
    return @{ Code = $process.ExitCode; Output = $stdout.Result + $stderr.Result }
}

function Find-Python {
    # -Python, else the newest 64-bit 3.11-3.13 the py launcher knows, else python on PATH.
    $check = "import struct, sys; print(sys.executable if (3, 11) <= sys.version_info[:2] <= (3, 13) and struct.calcsize('P') == 8 else '')"
    if ($Python) { $candidates = @(, @($Python)) }
    else { $candidates = @(@("py", "-3.13"), @("py", "-3.12"), @("py", "-3.11"), @(, "python")) }
    foreach ($candidate in $candidates) {
        $exe = $candidate[0]
        if (-not (Get-Command $exe -ErrorAction SilentlyContinue)) { continue }
        $found = & $exe $candidate[1..($candidate.Length)] -c $check 2>$null
        if ($LASTEXITCODE -eq 0 -and $found) { return $found.Trim() }
    }
    throw "No 64-bit Python 3.11-3.13 found (install one from python.org, or pass -Python C:\...\python.exe)"
}

function Find-Iscc {
    if ($Iscc) { if (Test-Path $Iscc) { return $Iscc }; throw "ISCC.exe not found at $Iscc" }
    $onPath = Get-Command ISCC.exe -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    foreach ($base in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, "$env:LOCALAPPDATA\Programs")) {
        foreach ($name in @("Inno Setup 6", "Inno Setup 7")) {
            if ($base -and (Test-Path "$base\$name\ISCC.exe")) { return "$base\$name\ISCC.exe" }
        }
    }
    throw "Inno Setup not found: install Inno Setup 6.4 or newer, or pass -Iscc C:\...\ISCC.exe"
}

function Find-SignTool {
    if ($SignTool) { return $SignTool }
    $onPath = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    $kits = "${env:ProgramFiles(x86)}\Windows Kits\10\bin"
    $found = Get-ChildItem $kits -Recurse -Filter signtool.exe -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -match "\\x64\\" } | Sort-Object FullName -Descending | Select-Object -First 1
    if ($found) { return $found.FullName }
    throw "A signing certificate is configured but signtool.exe was not found: install the Windows SDK (Signing Tools) or pass -SignTool"
}

# ------------------------------------------------------------------ the build virtualenv
$py = Find-Python
Write-Host "[build] Python: $py"
$venv = "build\venv"
$venvPy = "$venv\Scripts\python.exe"
$pyprojectHash = (Get-FileHash pyproject.toml -Algorithm SHA256).Hash
$pyVersion = (& $py -c "import sys; print(sys.version.split()[0])").Trim()
$stampWanted = "$pyprojectHash $pyVersion $py"
$stampFile = "$venv\.xinfang-build"
$stamp = if (Test-Path $stampFile) { (Get-Content $stampFile -Raw -Encoding UTF8).Trim() } else { "" }
if ($Clean -or -not (Test-Path $venvPy) -or $stamp -ne $stampWanted) {
    if (Test-Path $venv) { Write-Host "[build] removing $venv (stale: pyproject.toml or Python changed)"; Remove-Item -Recurse -Force $venv }
    Write-Host "[build] creating $venv with Python $pyVersion"
    & $py -m venv $venv
    if ($LASTEXITCODE -ne 0) { throw "python -m venv failed" }
    & $venvPy -m pip install --quiet --disable-pip-version-check -e ".[build]"
    if ($LASTEXITCODE -ne 0) { throw "pip install -e .[build] failed" }
    Set-Content -Path $stampFile -Value $stampWanted -Encoding UTF8
} else {
    Write-Host "[build] $venv is up to date (pyproject.toml and Python $pyVersion unchanged)"
}

Write-Host "[build] compiling forms (xinfang_desktop\ui\*.ui)"
& $venvPy -m xinfang_desktop.gui.forms | Out-Null
if ($LASTEXITCODE -ne 0) { throw "form compilation failed" }

Write-Host "[build] pyinstaller installer\xinfang.spec"
& "$venv\Scripts\pyinstaller.exe" --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\xinfang.spec
if ($LASTEXITCODE -ne 0) { throw "pyinstaller failed" }

$version = (& $venvPy installer\versions.py).Trim()
$numericVersion = (& $venvPy installer\versions.py windows).Trim()   # 0.2.0rc1 -> 0.2.0.30001

# ------------------------------------------------------------------ signing (when configured)
$signArgs = $null
if ($env:XINFANG_SIGN_PFX -or $env:XINFANG_SIGN_THUMBPRINT) {
    $signtool = Find-SignTool
    $timestamp = if ($env:XINFANG_SIGN_TIMESTAMP) { $env:XINFANG_SIGN_TIMESTAMP } else { "http://timestamp.digicert.com" }
    if ($env:XINFANG_SIGN_PFX) {
        $which = @("/f", $env:XINFANG_SIGN_PFX)
        if ($env:XINFANG_SIGN_PASSWORD) { $which += @("/p", $env:XINFANG_SIGN_PASSWORD) }
    } else {
        $which = @("/sha1", $env:XINFANG_SIGN_THUMBPRINT)
    }
    $signArgs = @("sign", "/fd", "sha256", "/td", "sha256", "/tr", $timestamp) + $which + @("/d", "信访 Desktop")
    foreach ($exe in @("dist\xinfang\xinfang-desktop.exe", "dist\xinfang\xinfang.exe")) {
        Write-Host "[build] signing $exe"
        & $signtool @signArgs $exe
        if ($LASTEXITCODE -ne 0) { throw "signtool failed on $exe" }
    }
} else {
    Write-Host "[build] NOT SIGNED: no XINFANG_SIGN_PFX or XINFANG_SIGN_THUMBPRINT (see README: 代码签名)"
}

# ------------------------------------------------------------------ smoke run of the frozen programs
$cli = Invoke-Captured -File "dist\xinfang\xinfang.exe" -Arguments @("--version") -Seconds 60
Write-Host $cli.Output.Trim()
if ($cli.Code -ne 0) { throw "xinfang.exe --version failed ($($cli.Code))" }

$selfTestLog = Join-Path (Resolve-Path "build").Path "self-test.txt"
Remove-Item $selfTestLog -ErrorAction SilentlyContinue
Write-Host "[build] xinfang-desktop.exe --self-test (at most $SelfTestSeconds s)"
$selfTest = Invoke-Captured -File "dist\xinfang\xinfang-desktop.exe" -Arguments @("--self-test", "--self-test-log", $selfTestLog) `
    -Seconds $SelfTestSeconds -Environment @{ QT_QPA_PLATFORM = "offscreen" }
$report = $selfTest.Output
if (-not $report.Trim() -and (Test-Path $selfTestLog)) { $report = Get-Content $selfTestLog -Raw -Encoding UTF8 }
Write-Host $report.Trim()
if ($selfTest.Code -ne 0) { throw "xinfang-desktop.exe --self-test failed ($($selfTest.Code)); its report is above and in $selfTestLog" }

if ($SkipInstaller) { Write-Host "[build] dist\xinfang ready (version $version)"; exit 0 }

# ------------------------------------------------------------------ the installer
$isccExe = Find-Iscc
Write-Host "[build] Inno Setup ($isccExe): installer\xinfang.iss (version $version, $numericVersion)"
$isccArgs = @("/DAppVersion=$version", "/DAppNumericVersion=$numericVersion")
if ($signArgs) {
    # ISCC signs the setup and the uninstaller it embeds; $f is the file, $q a quote
    $quoted = ($signArgs | ForEach-Object {
        $arg = $_ -replace '\$', '$$$$'                      # Inno Setup reads "$$" as one "$"
        if ($arg -match "\s") { '$q' + $arg + '$q' } else { $arg } }) -join " "
    $isccArgs += @("/DSignTool=xinfangsign", "/Sxinfangsign=`$q$signtool`$q $quoted `$f")
}
& $isccExe @isccArgs installer\xinfang.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
$setup = "dist\xinfang-desktop-setup-$version.exe"
if ($signArgs) {
    & $signtool verify /pa $setup
    if ($LASTEXITCODE -ne 0) { throw "the setup's signature does not verify" }
}
Write-Host "[build] $setup"
