; Inno Setup 6 script for Faktory Desktop: installs the PyInstaller bundle (dist\faktory-desktop\)
; into Program Files, with a Start Menu shortcut, an optional desktop icon and an uninstaller.
;
; On Windows, from the repository root, after `.venv\Scripts\python build\build.py`:
;
;   iscc installer\windows\faktory-desktop.iss
;   iscc /DAppVersion=0.2.0 installer\windows\faktory-desktop.iss     (another version)
;
; Writes dist\Faktory-Desktop-<version>-windows-x64-setup.exe. Relative paths below are from this
; file's folder. The .ico is the one build\faktory-desktop.spec packs from resources\icons.
; The setup asks for admin rights (Program Files), or installs for the current user only when
; the user picks that in the first dialog (PrivilegesRequiredOverridesAllowed).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Faktory Desktop"
#define AppExe "faktory-desktop.exe"
#define Bundle "..\..\dist\faktory-desktop"

[Setup]
; AppId identifies the app across upgrades and in the uninstaller: never change it.
AppId={{75BDC717-807F-4649-849A-0B595605C88B}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=..\..\build\work\faktory-desktop\icons\faktory-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=Faktory-Desktop-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running copy holds its files open: Setup offers to close it (Restart Manager) before
; replacing them. The uninstaller does not: quit the app from its tray menu first (closing the
; window only hides it to the tray), or files in use are removed at the next reboot.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle whole, so no library of an older version lingers in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; faktory-desktop.exe (the app, windowed), faktory-desktop-cli.exe (console: `serve` with its
; logs in the terminal) and _internal\ with Python, Qt and the rest.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The app's "Launch at login" setting writes this value (faktory_desktop/ui/autostart.py).
; Writes nothing here; only removes the value on uninstall, so no login item points at a
; deleted program. (HKCU: the user who runs the uninstaller.)
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "{#AppName}"; Flags: uninsdeletevalue dontcreatekey

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
