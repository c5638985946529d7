# 信访 Desktop — check an installer on a real Windows PC or CI runner (see installer\windows-ci.md).
#
#   powershell -ExecutionPolicy Bypass -File installer\check-windows.ps1 -Setup dist\xinfang-desktop-setup-0.1.0.exe
#
# Run it as an administrator on a machine you may change (a CI runner, a test PC): it installs the
# program silently, uses it, reinstalls it over a running window, and uninstalls it. The data
# folder and TEMP are put under a user folder with a Chinese name, a space, "#" and "%"
# (C:\Users\张三 #%\…), where paths break most easily. Every program runs with its output captured
# and a time limit. Exit code 0 when everything passed; the first failure stops it with the reason.
# This file is UTF-8 with a BOM: Windows PowerShell 5.1 reads it as ANSI otherwise.
param(
    [Parameter(Mandatory = $true)][string]$Setup,
    [string]$Root = "C:\Users\张三 #%",
    [int]$Seconds = 300
)
$ErrorActionPreference = "Stop"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$Setup = (Resolve-Path $Setup).Path
$app = Join-Path $env:ProgramFiles "XinfangDesktop"
$gui = Join-Path $app "xinfang-desktop.exe"
$cli = Join-Path $app "xinfang.exe"
$data = Join-Path $Root "信访数据 #1"
$backups = Join-Path $Root "备份 %TEMP% #2"
$logs = Join-Path $Root "logs"
$password = "check-pass-1"

function Step([string]$text) { Write-Host "`n=== $text" }
function Fail([string]$text) { throw "FAILED: $text" }

function Invoke-Captured {
    # A program with its output captured (UTF-8), optional standard input and a time limit.
    param([string]$File, [string[]]$Arguments = @(), [int]$Limit = $Seconds, [hashtable]$Environment = @{},
          [string]$InputText = $null)
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $File
    $psi.Arguments = ($Arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join " "
    $psi.WorkingDirectory = $Root
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = ($null -ne $InputText)
    $psi.StandardOutputEncoding = [System.Text.Encoding]::UTF8
    $psi.StandardErrorEncoding = [System.Text.Encoding]::UTF8
    foreach ($key in $Environment.Keys) { $psi.EnvironmentVariables[$key] = $Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($psi)
    if ($null -ne $InputText) { $process.StandardInput.WriteLine($InputText); $process.StandardInput.Close() }
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($Limit * 1000)) {
        & taskkill.exe /PID $process.Id /T /F | Out-Null
        Fail "$File $($Arguments -join ' ') did not finish within $Limit s. Output so far:`n$($stdout.Result)$($stderr.Result)"
    }
    $process.WaitForExit()
    $result = @{ Code = $process.ExitCode; Output = ($stdout.Result + $stderr.Result).Trim() }
    if ($result.Output) { Write-Host $result.Output }
    return $result
}

function Xinfang([string[]]$Arguments, [string]$InputText = $null) {
    $r = Invoke-Captured -File $cli -Arguments (@("--data-dir", $data) + $Arguments) -InputText $InputText
    if ($r.Code -ne 0) { Fail "xinfang $($Arguments -join ' ') exited with $($r.Code)" }
    return $r
}

function Install([string]$Why, [string[]]$Extra = @()) {
    $log = Join-Path $logs "setup-$Why.log"
    $p = Start-Process -FilePath $Setup -PassThru -ArgumentList (@("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/LOG=`"$log`"") + $Extra)
    if (-not $p.WaitForExit($Seconds * 1000)) { Stop-Process -Id $p.Id -Force; Fail "setup ($Why) did not finish within $Seconds s; log: $log" }
    if ($p.ExitCode -ne 0) { Get-Content $log -Tail 30 -Encoding UTF8; Fail "setup ($Why) exited with $($p.ExitCode); log: $log" }
    if (-not (Test-Path $gui)) { Fail "setup ($Why) did not install $gui" }
}

function Self-Test([string]$Platform) {
    $log = Join-Path $logs "self-test-$Platform.txt"
    $envs = @{}
    if ($Platform -eq "offscreen") { $envs["QT_QPA_PLATFORM"] = "offscreen" }
    $r = Invoke-Captured -File $gui -Arguments @("--self-test", "--self-test-log", $log) -Environment $envs
    $report = if (Test-Path $log) { Get-Content $log -Raw -Encoding UTF8 } else { "" }
    if ($r.Code -ne 0 -or $report -notmatch "self-test: ok") { Write-Host $report; Fail "installed --self-test ($Platform) exited with $($r.Code)" }
}

# ------------------------------------------------------------------ a user folder that breaks paths
Step "folders under $Root (TEMP too)"
foreach ($dir in @($Root, "$Root\Temp", $logs, $backups)) { New-Item -ItemType Directory -Force -Path $dir | Out-Null }
$env:TEMP = "$Root\Temp"
$env:TMP = "$Root\Temp"
Write-Host "TEMP=$env:TEMP"
$fonts = Get-ChildItem "$env:WINDIR\Fonts" -Include msyh*, simsun*, simhei*, Deng* -Recurse -ErrorAction SilentlyContinue
Write-Host "Chinese system fonts: $(($fonts | ForEach-Object Name) -join ', ')"
if (-not $fonts) { Write-Host "WARNING: no Chinese font pack (the program still uses its bundled fonts)" }

# ------------------------------------------------------------------ silent install
Step "silent install: $Setup"
Install "first"
$signature = Get-AuthenticodeSignature $gui
Write-Host "signature of xinfang-desktop.exe: $($signature.Status) $($signature.SignerCertificate.Subject)"
$entry = Get-ChildItem "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall" |
    Get-ItemProperty | Where-Object { $_.DisplayName -like "信访 Desktop*" }
if (-not $entry) { Fail "no 信访 Desktop entry in 程序和功能 (Apps & features)" }
Write-Host "程序和功能: $($entry.DisplayName) $($entry.DisplayVersion), icon $($entry.DisplayIcon)"
$shortcut = Join-Path $env:ProgramData "Microsoft\Windows\Start Menu\Programs\信访 Desktop\信访 Desktop.lnk"
if (-not (Test-Path $shortcut)) { Fail "no Start-menu shortcut $shortcut" }

# ------------------------------------------------------------------ the installed programs
Step "installed xinfang.exe on $data"
$r = Invoke-Captured -File $cli -Arguments @("--version")
if ($r.Code -ne 0 -or $r.Output -notmatch "xinfang \d") { Fail "xinfang --version" }
Xinfang @("init", "--unit", "350881102000", "--admin", "admin") -InputText $password | Out-Null
Xinfang @("demo", "--cases", "50") | Out-Null
Xinfang @("check") | Out-Null
Xinfang @("backup", "--to", $backups) | Out-Null
$made = Get-ChildItem $backups -Directory | Where-Object Name -like "xinfang-backup-*" | Select-Object -First 1
if (-not $made) { Fail "no backup in $backups" }
Xinfang @("restore", $made.FullName) | Out-Null
Xinfang @("check") | Out-Null

Step "installed xinfang-desktop.exe --self-test (offscreen, then on the desktop)"
Self-Test "offscreen"
Self-Test "windows"

# ------------------------------------------------------------------ saving over a file held open
Step "saving over files another program holds open (as WPS, Excel or a PDF reader do)"
$exports = Join-Path $Root "导出 #3"
New-Item -ItemType Directory -Force -Path $exports | Out-Null
foreach ($case in @(
        @{ File = "统计 %1.pdf"; Args = @("stats", "--from", "2000-01-01", "--to", "2099-12-31", "--format", "pdf", "--out") },
        @{ File = "台账 #1.xlsx"; Args = @("ledger", "export", "--out") })) {
    $target = Join-Path $exports $case.File
    Xinfang ($case.Args + @($target)) | Out-Null
    $before = (Get-FileHash $target).Hash
    $held = [System.IO.File]::Open($target, "Open", "Read", "None")     # no FILE_SHARE_DELETE: the rename must fail
    try {
        $r = Invoke-Captured -File $cli -Arguments (@("--data-dir", $data) + $case.Args + @($target))
        if ($r.Code -eq 0) { Fail "saving over the open $($case.File) reported success" }
        if ($r.Output -notmatch "文件正被其他程序打开，请关闭后重试") { Fail "the message for the open $($case.File) does not say it is open elsewhere" }
    } finally { $held.Close() }
    if ((Get-FileHash $target).Hash -ne $before) { Fail "the open $($case.File) was changed" }
    $left = Get-ChildItem $exports -Force | Where-Object Name -like "*.part"
    if ($left) { Fail "a .part file was left: $($left.Name)" }
    Xinfang ($case.Args + @($target)) | Out-Null                           # closed again: saves
}

# ------------------------------------------------------------------ reinstall over a running window
Step "reinstall while the window is open"
$running = Start-Process -FilePath $gui -ArgumentList @("--data-dir", "`"$data`"") -PassThru
Start-Sleep -Seconds 10
if ($running.HasExited) { Fail "the window program exited by itself ($($running.ExitCode))" }
Install "over-running" @("/CLOSEAPPLICATIONS")
if (-not $running.WaitForExit(30000)) { Stop-Process -Id $running.Id -Force; Fail "setup left the running window open (files replaced only after a restart)" }
Select-String -Path (Join-Path $logs "setup-over-running.log") -Pattern "RestartManager|Shutting down|in use" -Encoding UTF8 | ForEach-Object Line
Self-Test "offscreen"
Xinfang @("check") | Out-Null

# ------------------------------------------------------------------ silent uninstall keeps the data
Step "silent uninstall"
$uninstaller = Get-ChildItem $app -Filter "unins*.exe" | Select-Object -First 1
if (-not $uninstaller) { Fail "no uninstaller in $app" }
$signature = Get-AuthenticodeSignature $uninstaller.FullName
Write-Host "signature of $($uninstaller.Name): $($signature.Status)"
# the uninstaller copies itself to TEMP and returns at once: wait for the program to be gone
Start-Process -FilePath $uninstaller.FullName -ArgumentList @("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART") -Wait
$deadline = (Get-Date).AddSeconds($Seconds)
while ((Test-Path $gui) -and (Get-Date) -lt $deadline) { Start-Sleep -Seconds 2 }
if (Test-Path $gui) { Fail "the uninstaller left $gui" }
if (-not (Test-Path (Join-Path $data "xinfang.sqlite3"))) { Fail "uninstalling removed the data in $data" }
if (-not (Get-ChildItem $backups -Directory)) { Fail "uninstalling removed the backups" }
Write-Host "data kept: $data"

Write-Host "`ncheck-windows: all passed"
