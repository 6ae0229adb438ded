; Sage Sync Desktop installer: wraps the frozen folder (dist/SageSyncDesktop) into
; SageSyncDesktop-<version>-<arch>-setup.exe. Needs NSIS >= 3.08 (!uninstfinalize).
;
; Normally run by resources/build_release.py. By hand (makensis changes into resources/, so give
; absolute paths or paths relative to resources/):
;   makensis -DAPP_VERSION=0.1.0 -DVERSION_QUAD=0.1.0.0 -DARCH=x64 -DPUBLISHER=SageSyncDesktop
;            -DSOURCE_DIR=../dist/SageSyncDesktop -DOUTPUT_FILE=../dist/SageSyncDesktop-0.1.0-x64-setup.exe
;            [-DSIGN_CMD="<command that signs the file named after it>"] [-DCONSOLE_ONLY]
;            resources/installer.nsi
; CONSOLE_ONLY: the frozen folder has only sage-sync.exe (the 32-bit build, see build_installer.spec).
;
; Per-machine install under Program Files. User data never lives here: settings, history and logs
; are in each user's %LOCALAPPDATA%\SageSyncDesktop and secrets in Windows Credential Manager, so
; an upgrade (which replaces only this program folder) and the uninstaller both leave them alone.
;
; Exit codes (silent installs report these to SCCM/Intune):
;   0 done; 1 cancelled by the user; 2 not run as administrator, or the x64 build on 32-bit
;   Windows; 3 Sage Sync Desktop is running (its files are in use); 4 an earlier build (the other
;   architecture's, or this one's in another folder) could not be removed first.

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
; -DCOMPRESSOR=zlib builds faster (the CI check of this script); releases use solid LZMA.
!ifdef COMPRESSOR
  SetCompressor /SOLID ${COMPRESSOR}
!else
  SetCompressor /SOLID lzma
!endif

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

!macro REQUIRE_DEFINE NAME
  !ifndef ${NAME}
    !error "Define ${NAME} on the makensis command line (see the top of installer.nsi)."
  !endif
!macroend
!insertmacro REQUIRE_DEFINE APP_VERSION
!insertmacro REQUIRE_DEFINE VERSION_QUAD
!insertmacro REQUIRE_DEFINE ARCH
!insertmacro REQUIRE_DEFINE SOURCE_DIR
!insertmacro REQUIRE_DEFINE OUTPUT_FILE
!ifndef PUBLISHER
  !define PUBLISHER "SageSyncDesktop"
!endif
!ifndef ICON
  !define ICON "../sage_sync_desktop/assets/app-icon.ico"  ; makensis runs in resources/; the package holds the only copy
!endif

!define APP_NAME "SageSyncDesktop"
!define APP_DISPLAY_NAME "Sage Sync Desktop"
!define GUI_EXE "SageSyncDesktop.exe"
!define CONSOLE_EXE "sage-sync.exe"
!ifdef CONSOLE_ONLY
  !define DISPLAY_EXE "${CONSOLE_EXE}"
!else
  !define DISPLAY_EXE "${GUI_EXE}"
!endif
!define UNINSTALLER "uninstall.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"
!define SHORTCUT "$SMPROGRAMS\${APP_DISPLAY_NAME}.lnk"

!define EXIT_NOT_ALLOWED 2
!define EXIT_APP_RUNNING 3
!define EXIT_OTHER_BUILD 4

; Both builds share one Apps & Features key name; each lives in its own registry view (the x86
; build's under WOW6432Node), so an x64 install finds and replaces an x86 one and vice versa.
!if "${ARCH}" == "x64"
  !define DEFAULT_DIR "$PROGRAMFILES64\${APP_NAME}"
  !define OWN_VIEW 64
  !define OTHER_VIEW 32
!else if "${ARCH}" == "x86"
  !define DEFAULT_DIR "$PROGRAMFILES32\${APP_NAME}"
  !define OWN_VIEW 32
  !define OTHER_VIEW 64
!else
  !error "ARCH must be x86 or x64, not ${ARCH}."
!endif

Name "${APP_DISPLAY_NAME} ${APP_VERSION} (${ARCH})"
OutFile "${OUTPUT_FILE}"
InstallDir "${DEFAULT_DIR}"
BrandingText "${APP_DISPLAY_NAME} ${APP_VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=1033 "ProductName" "${APP_DISPLAY_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${APP_VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${APP_VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP_DISPLAY_NAME} ${APP_VERSION} (${ARCH}) Setup"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Copyright (C) ${PUBLISHER}"

; Signing (resources/build_release.py passes SIGN_CMD). !finalize signs the finished setup.exe;
; !uninstfinalize signs the uninstaller before it is packed inside, so Windows shows the publisher
; for both and Defender's ASR rules do not block an unsigned uninstaller.
!ifdef SIGN_CMD
  !finalize `${SIGN_CMD} "%1"` = 0
  !uninstfinalize `${SIGN_CMD} "%1"` = 0
!endif

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var OtherBuildDir  ; the other architecture's build, if installed
Var PreviousDir  ; this architecture's earlier install, if any

Function .onInit
  !if "${ARCH}" == "x64"
    ${IfNot} ${RunningX64}
      MessageBox MB_ICONSTOP "This is the 64-bit (x64) build of ${APP_DISPLAY_NAME}; this Windows \
        is 32-bit. Install ${APP_NAME}-${APP_VERSION}-x86-setup.exe instead." /SD IDOK
      SetErrorLevel ${EXIT_NOT_ALLOWED}
      Quit
    ${EndIf}
  !endif
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "admin"
    MessageBox MB_ICONSTOP "${APP_DISPLAY_NAME} installs for every user of this computer: run \
      the installer as an administrator." /SD IDOK
    SetErrorLevel ${EXIT_NOT_ALLOWED}
    Quit
  ${EndIf}

  ; Another build (the other architecture) to replace, so only one appears in Apps & Features.
  ${If} ${RunningX64}
    SetRegView ${OTHER_VIEW}
    ReadRegStr $OtherBuildDir HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${EndIf}
  SetRegView ${OWN_VIEW}

  ; Upgrade in place: unless /D= named a folder, install where this build already is.
  ReadRegStr $PreviousDir HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $INSTDIR == "${DEFAULT_DIR}"
  ${AndIf} $PreviousDir != ""
    StrCpy $INSTDIR $PreviousDir
  ${EndIf}
FunctionEnd

; Runs the uninstaller of the build in folder $R9, in place and waiting for it (_?=); it cannot
; delete itself then, so that is done here. User data is never part of a program folder.
Function UninstallBuildAt
  ${If} $R9 == ""
  ${OrIfNot} ${FileExists} "$R9\${UNINSTALLER}"
    Return
  ${EndIf}
  DetailPrint "Removing the ${APP_DISPLAY_NAME} build in $R9 (user data is kept)"
  ExecWait '"$R9\${UNINSTALLER}" /S _?=$R9' $0
  ${If} $0 != 0
    MessageBox MB_ICONSTOP "Could not remove the ${APP_DISPLAY_NAME} build in $R9 \
      (exit code $0). Uninstall it from Apps & Features, then run this installer again." /SD IDOK
    SetErrorLevel ${EXIT_OTHER_BUILD}
    Abort
  ${EndIf}
  Delete "$R9\${UNINSTALLER}"
  RMDir "$R9"
FunctionEnd

; Fails (error flag) when the app is running: Windows keeps a running exe's file locked.
!macro REMOVE_PROGRAM_FILES un
  Function ${un}RemoveProgramFiles
    ClearErrors
    Delete "$INSTDIR\${GUI_EXE}"
    Delete "$INSTDIR\${CONSOLE_EXE}"
    ${If} ${Errors}
      MessageBox MB_ICONSTOP "${APP_DISPLAY_NAME} is running. Close it (and any scheduled \
        sage-sync task), then try again." /SD IDOK
      SetErrorLevel ${EXIT_APP_RUNNING}
      Abort
    ${EndIf}
    ; Only what the frozen build put here: never RMDir /r $INSTDIR, which /D= may have pointed
    ; at a folder holding other files.
    RMDir /r "$INSTDIR\_internal"
  FunctionEnd
!macroend
!insertmacro REMOVE_PROGRAM_FILES ""
!insertmacro REMOVE_PROGRAM_FILES "un."

Section "Install"
  SetShellVarContext all
  ; The other architecture's build goes, so only one appears in Apps & Features (even when it is
  ; in this very folder); this build's previous install goes when a new folder was chosen.
  StrCpy $R9 $OtherBuildDir
  Call UninstallBuildAt
  ${If} $PreviousDir != $INSTDIR
    StrCpy $R9 $PreviousDir
    Call UninstallBuildAt
  ${EndIf}
  SetRegView ${OWN_VIEW}
  SetOutPath "$INSTDIR"
  ; Upgrade: replace the whole program folder, so no file of the old build lingers.
  Call RemoveProgramFiles
  File /r "${SOURCE_DIR}/*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

!ifdef CONSOLE_ONLY
  ; No window in this build (see build_installer.spec), so no Start menu entry.
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_DISPLAY_NAME} (${ARCH}, command line)"
!else
  CreateShortCut "${SHORTCUT}" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_DISPLAY_NAME} (${ARCH})"
!endif
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${APP_VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${DISPLAY_EXE},0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Function un.onInit
  SetRegView ${OWN_VIEW}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Call un.RemoveProgramFiles
  Delete "${SHORTCUT}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ; Deliberately kept: %LOCALAPPDATA%\SageSyncDesktop (settings, import history, logs) of every
  ; user and the "SageSyncDesktop" entries in Credential Manager. The history is the audit trail
  ; of what was sent to Procore; reinstalling picks it up again.
SectionEnd
