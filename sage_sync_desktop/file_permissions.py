"""Files the app trusts are private to this user: created so, and refused when others may write them.

The settings file decides which Procore and which Sage the app talks to, and the history is the
audit record; a file (or the folder holding it) that other users of the computer may write is a
way to make the app act for them. Such a file is refused with a clear error, never silently used.
New files and folders are created private to the user (0600 / 0700 on POSIX) whatever the umask;
on Windows they inherit the per-user ACL of %LOCALAPPDATA%, and the check reads the file's ACL.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sage_sync_desktop.errors import ConfigurationError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

# Windows: who may write a trusted file besides its owner. SYSTEM, Administrators and
# TrustedInstaller can take any file anyway; CREATOR OWNER only applies to new children.
_TRUSTED_SIDS = frozenset({
    "S-1-5-18", "S-1-5-32-544", "S-1-3-0",
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
})
# FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_ALL | GENERIC_WRITE
_WINDOWS_WRITE_RIGHTS = 0x2 | 0x4 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000
# On a folder, what lets someone replace a file in it: FILE_DELETE_CHILD, and taking the folder
# over (WRITE_DAC | WRITE_OWNER | GENERIC_ALL). "Create files" alone (ProgramData's default for
# Users) cannot replace a file that exists.
_WINDOWS_FOLDER_RIGHTS = 0x40 | 0x40000 | 0x80000 | 0x10000000
_ACCESS_ALLOWED = 0
_INHERIT_ONLY = 0x8


def make_private_dir(path: Path) -> None:
    """Create the folder (and missing parents) readable and writable by this user only."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        for created in missing:
            os.chmod(created, PRIVATE_DIR)  # mkdir's mode is masked by the umask; this is not


def create_private_file(path: Path) -> None:
    """Create an empty file private to this user if it does not exist yet (before SQLite opens it)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        return
    if os.name == "posix":
        os.chmod(path, PRIVATE_FILE)


def write_private_text(path: Path, text: str) -> None:
    """Write atomically (temporary file + rename) into a file private to this user."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    if os.name == "posix":
        os.chmod(tmp, PRIVATE_FILE)  # an older tmp file may have had other bits
    os.replace(tmp, path)


def refuse_if_others_may_write(path: Path, what: str) -> None:
    """ConfigurationError when another user of this computer may change `path` or its folder."""
    path = Path(path)
    for target in (path, path.parent):
        if not target.exists():
            continue
        writers = _windows_writers(target) if sys.platform == "win32" else _posix_writers(target)
        if writers:
            kind = "folder holding it" if target != path else "file"
            raise ConfigurationError(
                f"The {what} {path} cannot be trusted: other users of this computer may change the "
                f"{kind} ({', '.join(writers)}).",
                fix=(f"Remove write access for other users, e.g. `chmod go-w {target}`."
                     if sys.platform != "win32" else
                     f"In the Properties of {target}, Security tab, give write access to your own "
                     "user only (and SYSTEM/Administrators)."),
            )


def _posix_writers(target: Path) -> list[str]:
    mode = target.stat().st_mode
    if stat.S_ISDIR(mode) and mode & stat.S_ISVTX:
        return []  # a sticky folder (/tmp): others cannot replace our files in it
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        who = "everyone" if mode & stat.S_IWOTH else "its group"
        return [f"mode {stat.S_IMODE(mode):04o}: writable by {who}"]
    return []


@dataclass(frozen=True)
class Ace:
    """One entry of a Windows access list, as far as the check needs it."""

    ace_type: int
    flags: int
    mask: int
    sid: str


def untrusted_writers(aces: Iterable[Ace] | None, owner_sid: str, *, folder: bool = False,
                      me: str = "") -> list[str]:
    """SIDs other than the owner and the system's own that an access list lets write (for a
    folder: replace the files in it).

    None is a NULL DACL: everyone may do everything.
    """
    if aces is None:
        return ["Everyone (the file has no access list)"]
    writers = []
    for ace in aces:
        rights = _WINDOWS_FOLDER_RIGHTS if folder else _WINDOWS_WRITE_RIGHTS
        if ace.ace_type != _ACCESS_ALLOWED or ace.flags & _INHERIT_ONLY or not ace.mask & rights:
            continue
        if ace.sid in (owner_sid, me) or ace.sid in _TRUSTED_SIDS:
            continue
        writers.append(ace.sid)
    return writers


def _windows_writers(target: Path) -> list[str]:  # pragma: no cover - runs on Windows only
    owner, aces, me = _read_windows_acl(target)
    return untrusted_writers(aces, owner, folder=target.is_dir(), me=me)


def _read_windows_acl(target: Path) -> tuple[str, list[Ace] | None, str]:  # pragma: no cover - Windows only
    """The owner's SID, the access list (None: no list at all) and this process's user SID."""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    se_file_object, owner_info, dacl_info = 1, 0x1, 0x4
    owner, dacl, descriptor = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    result = advapi32.GetNamedSecurityInfoW(
        ctypes.c_wchar_p(str(target)), se_file_object, owner_info | dacl_info,
        ctypes.byref(owner), None, ctypes.byref(dacl), None, ctypes.byref(descriptor))
    if result != 0:
        raise OSError(result, f"cannot read the access list of {target}")

    def sid_text(sid: int) -> str:
        text = wintypes.LPWSTR()
        if not advapi32.ConvertSidToStringSidW(ctypes.c_void_p(sid), ctypes.byref(text)):
            return "unknown"
        try:
            return text.value or "unknown"
        finally:
            kernel32.LocalFree(text)

    class AclSizeInformation(ctypes.Structure):
        _fields_ = [("AceCount", wintypes.DWORD), ("AclBytesInUse", wintypes.DWORD),
                    ("AclBytesFree", wintypes.DWORD)]

    try:
        owner_sid = sid_text(owner.value) if owner.value else ""
        me = _process_user_sid(advapi32, kernel32, sid_text)
        if not dacl.value:
            return owner_sid, None, me
        info = AclSizeInformation()
        advapi32.GetAclInformation(dacl, ctypes.byref(info), ctypes.sizeof(info), 2)
        aces = []
        for index in range(info.AceCount):
            ace = ctypes.c_void_p()
            if not advapi32.GetAce(dacl, index, ctypes.byref(ace)):
                continue
            ace_type, flags = ctypes.c_ubyte.from_address(ace.value).value, ctypes.c_ubyte.from_address(ace.value + 1).value
            mask = wintypes.DWORD.from_address(ace.value + 4).value
            aces.append(Ace(ace_type, flags, mask, sid_text(ace.value + 8)))
        return owner_sid, aces, me
    finally:
        kernel32.LocalFree(descriptor)


def _process_user_sid(advapi32: Any, kernel32: Any, sid_text: Any) -> str:  # pragma: no cover - Windows only
    """The SID of the user this process runs as (an elevated admin's files are owned by the
    Administrators group, but they are still this user's own)."""
    import ctypes
    from ctypes import wintypes

    token = wintypes.HANDLE()
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    if not advapi32.OpenProcessToken(kernel32.GetCurrentProcess(), 0x0008, ctypes.byref(token)):  # TOKEN_QUERY
        return ""
    try:
        size = wintypes.DWORD()
        advapi32.GetTokenInformation(token, 1, None, 0, ctypes.byref(size))  # TokenUser
        buffer = ctypes.create_string_buffer(size.value)
        if not advapi32.GetTokenInformation(token, 1, buffer, size, ctypes.byref(size)):
            return ""
        # TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first member is the SID pointer.
        return str(sid_text(ctypes.c_void_p.from_buffer(buffer).value or 0))
    finally:
        kernel32.CloseHandle(token)
