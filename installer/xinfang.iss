; 信访 Desktop — Windows 安装程序（Inno Setup 6.4 或更新版本）
;
; 简体中文界面文件 ChineseSimplified.isl 随本脚本放在 installer\ 中（许可见 ChineseSimplified.isl.LICENSE.txt）：
; Inno Setup 6 的安装包不带它（它在 Inno Setup 源码的 Languages\Unofficial 中，7.x 才正式收录）。
;
; 由 installer\build-windows.ps1 调用：ISCC /DAppVersion=<版本> /DAppNumericVersion=<四段数字版本> installer\xinfang.iss
; 安装 dist\xinfang\ 文件夹（PyInstaller 生成）。
;   - 为本机所有用户安装（需要管理员权限），开始菜单和桌面快捷方式；
;   - 同一 AppId 再次安装即原位升级（旧的 _internal 先删除，避免残留旧模块）；
;   - 卸载时默认保留数据（数据在每个用户的 %LOCALAPPDATA%\xinfang_desktop），
;     只有在卸载时明确选择“删除”才删除当前用户的数据。

#if VER < EncodeVer(6, 4, 0)
  #error 需要 Inno Setup 6.4 或更新版本（Inno Setup 6.4 or newer is required）
#endif

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
; Windows' version fields take four numbers only: "0.2.0rc1" is passed as 0.2.0.30001
; (installer\versions.py windows; build-windows.ps1 passes both).
#ifndef AppNumericVersion
  #define AppNumericVersion "0.0.0.0"
#endif
#define AppName "信访 Desktop"
#define AppExe "xinfang-desktop.exe"

[Setup]
; AppId 永远不要改：升级和卸载都靠它找到已安装的版本。
AppId={{6E4B9C1A-3F0D-4C52-9A8E-2D7F5B1C0E93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=信访 Desktop
VersionInfoVersion={#AppNumericVersion}
VersionInfoTextVersion={#AppVersion}
VersionInfoProductVersion={#AppNumericVersion}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoDescription={#AppName} 安装程序
DefaultDirName={autopf}\XinfangDesktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 支持 Windows 10 1809（内部版本 17763）及以后；更早的 Windows 10（如政府电脑常见的 LTSB 2016）
; 和 Windows 7/8 运行不了 Python 3.11 和 Qt 6，安装程序用下面 [Messages] 中的话拒绝安装。
MinVersion=10.0.17763
OutputDir=..\dist
OutputBaseFilename=xinfang-desktop-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; 代码签名：build-windows.ps1 在配置了证书时传入 /DSignTool=… 和 /S…=signtool 命令，
; 安装程序和卸载程序（SignedUninstaller）都签名；没有证书时不签名（见 README“代码签名”）。
#ifdef SignTool
SignTool={#SignTool}
SignedUninstaller=yes
#endif
; 安装程序、程序和功能（卸载列表）和快捷方式的图标（快捷方式取 exe 中的图标）
SetupIconFile=..\xinfang_desktop\resources\icons\xinfang.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; 升级时关闭正在运行的程序（重启管理器），装完再打开
CloseApplications=yes
RestartApplications=no
UsePreviousAppDir=yes
ShowLanguageDialog=no

[Languages]
; 相对于本脚本所在的 installer\ 文件夹
Name: "chs"; MessagesFile: "ChineseSimplified.isl"

[Messages]
; 代替 Inno Setup 笼统的“此程序需要 Windows 版本 10.0.17763 或更高”
WinVersionTooLowError=信访 Desktop 需要 64 位 Windows 10 1809（内部版本 17763）或更新的版本（包括 Windows 10 LTSC 2019/2021 和 Windows 11）。%n%n这台电脑的 Windows 太旧：Windows 7、Windows 8/8.1 和 Windows 10 LTSB 2016 等较早的版本不能运行本程序所用的 Python 3.11 和 Qt 6，所以无法安装。%n%n请先把 Windows 升级到上述版本再安装，或联系技术支持。

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "快捷方式："

[InstallDelete]
; 原位升级：先删除旧版本的程序文件（不是数据，数据不在安装目录）
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\xinfang\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\卸载 {#AppName}"; Filename: "{uninstallexe}"
Name: "{commondesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; 只删除程序自己的文件；数据目录由下面的代码在用户确认后才删除
Type: filesandordirs; Name: "{app}\_internal"

[Code]
const
  DataFolderName = 'xinfang_desktop';

function DataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\') + DataFolderName;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) and DirExists(DataDir()) then
  begin
    if MsgBox('程序已卸载。' + #13#10 + #13#10 +
              '是否同时删除本机的信访数据（事项、附件、密钥和自动备份记录）？' + #13#10 +
              DataDir() + #13#10 + #13#10 +
              '一般请选择“否”：保留数据，重新安装后可以继续使用。',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      if MsgBox('再次确认：删除后无法恢复（备份文件夹中的备份不受影响）。确定删除吗？',
                mbError, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir(), True, True, True);
    end;
  end;
end;
