"""Authenticode signing and verification for the release build (signtool or osslsigncode).

    python resources/code_signing.py sign   --tool osslsigncode|signtool FILE
    python resources/code_signing.py verify --tool osslsigncode|signtool FILE

`sign` signs FILE in place (SHA-256, RFC 3161 timestamp when SIGN_TIMESTAMP_URL is set) and then
verifies it, so every signature this script makes is checked, including the uninstaller NSIS signs
through !uninstfinalize while it is only a temporary file. build_release.py and installer.nsi
both call it.

The certificate never comes from the repository or the command line; it comes from the
environment (see CERTIFICATE_HELP). Passwords are passed to osslsigncode on stdin (-readpass -),
so they never appear in a process listing.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

TOOLS = ("osslsigncode", "signtool")
DESCRIPTION = "Sage Sync Desktop"

CERTIFICATE_HELP = """\
Certificate for signing, from environment variables (never from the repository):
  osslsigncode:
    SIGN_PFX_PATH + SIGN_PFX_PASSWORD        a PKCS#12 (.pfx) file and its password, or
    SIGN_CERT + SIGN_KEY [+ SIGN_KEY_PASSWORD]  PEM certificate chain and private key, or
    SIGN_PKCS11_MODULE + SIGN_PKCS11_KEY + SIGN_CERT [+ SIGN_PKCS11_PIN]  a hardware token
  signtool (Windows):
    SIGN_CERT_SHA1       thumbprint of a certificate in the Windows certificate store (an
                         imported .pfx, or a hardware token's certificate), or
    SIGN_CERT_SUBJECT    subject name of such a certificate, or
    SIGN_DLIB + SIGN_DMDF  a cloud key (e.g. Azure Artifact Signing's dlib and metadata.json)
  both:
    SIGN_TIMESTAMP_URL   RFC 3161 timestamp server (e.g. http://timestamp.digicert.com); without
                         it signatures stop being valid when the certificate expires
    SIGN_CA_FILE         (osslsigncode verify) CA bundle for a private or test certificate
    SIGN_RECORD          file to append one JSON line per signed file (build_release.py sets it)"""


class SigningError(Exception):
    """Signing or verification failed; the message says what to do."""


@dataclass(frozen=True)
class SignedFile:
    file: str
    tool: str
    timestamped: bool
    verified: bool
    sha256: str


def is_windows_pe(path: Path) -> bool:
    """True for a Windows PE file (exe/dll), the only kind Authenticode can sign."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(0x40)
            if len(header) < 0x40 or header[:2] != b"MZ":
                return False
            handle.seek(int.from_bytes(header[0x3C:0x40], "little"))
            return handle.read(4) == b"PE\0\0"
    except OSError:
        return False


def find_tool(tool: str) -> str:
    if tool not in TOOLS:
        raise SigningError(f"unknown signing tool {tool!r}; use one of {', '.join(TOOLS)}")
    found = shutil.which(tool)
    if found:
        return found
    if tool == "signtool" and sys.platform == "win32":
        # The Windows SDK installs signtool per SDK version and is not on PATH by default.
        kits = os.path.expandvars(r"%ProgramFiles(x86)%\Windows Kits\10\bin\*\x64\signtool.exe")
        candidates = sorted(glob.glob(kits))
        if candidates:
            return candidates[-1]
    raise SigningError(f"{tool} not found on PATH"
                       + (" or in the Windows SDK" if tool == "signtool" else ""))


def timestamp_url() -> str | None:
    return os.environ.get("SIGN_TIMESTAMP_URL") or None


def sign(path: Path, tool: str) -> SignedFile:
    path = Path(path)
    if not is_windows_pe(path):
        raise SigningError(f"{path} is not a Windows PE file; Authenticode cannot sign it")
    executable = find_tool(tool)
    if tool == "osslsigncode":
        _sign_osslsigncode(executable, path)
    else:
        _sign_signtool(executable, path)
    verify(path, tool)
    record = SignedFile(str(path), tool, timestamp_url() is not None, True, _sha256(path))
    record_path = os.environ.get("SIGN_RECORD")
    if record_path:
        with open(record_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record)) + "\n")
    return record


def verify(path: Path, tool: str) -> str:
    """Verify the Authenticode signature of `path`; return the tool's report, raise if invalid."""
    executable = find_tool(tool)
    if tool == "osslsigncode":
        command = [executable, "verify", "-in", str(path)]
        if os.environ.get("SIGN_CA_FILE"):
            command += ["-CAfile", os.environ["SIGN_CA_FILE"]]
    else:
        command = [executable, "verify", "/pa", "/v", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SigningError(f"signature of {path} does not verify ({tool} exit {result.returncode}):\n"
                           + _tail(output))
    return output


def _sign_osslsigncode(executable: str, path: Path) -> None:
    env = os.environ
    command = [executable, "sign", "-h", "sha256", "-n", DESCRIPTION]
    password: str | None = None
    if env.get("SIGN_PFX_PATH"):
        command += ["-pkcs12", env["SIGN_PFX_PATH"]]
        password = env.get("SIGN_PFX_PASSWORD", "")
    elif env.get("SIGN_PKCS11_MODULE"):
        if not (env.get("SIGN_PKCS11_KEY") and env.get("SIGN_CERT")):
            raise SigningError("SIGN_PKCS11_MODULE also needs SIGN_PKCS11_KEY and SIGN_CERT")
        command += ["-pkcs11module", env["SIGN_PKCS11_MODULE"], "-key", env["SIGN_PKCS11_KEY"],
                    "-certs", env["SIGN_CERT"]]
        password = env.get("SIGN_PKCS11_PIN")
    elif env.get("SIGN_CERT") and env.get("SIGN_KEY"):
        command += ["-certs", env["SIGN_CERT"], "-key", env["SIGN_KEY"]]
        password = env.get("SIGN_KEY_PASSWORD")
    else:
        raise SigningError("no certificate for osslsigncode.\n" + CERTIFICATE_HELP)
    if password is not None:
        command += ["-readpass", "-"]  # the password goes on stdin, never on the command line
    if timestamp_url():
        command += ["-ts", timestamp_url()]
    with tempfile.TemporaryDirectory(prefix="sign-") as tmp:
        signed = Path(tmp) / path.name
        result = subprocess.run(command + ["-in", str(path), "-out", str(signed)],
                                input=(password or "") + "\n" if password is not None else None,
                                capture_output=True, text=True, errors="replace", check=False)
        if result.returncode != 0 or not signed.is_file():
            raise SigningError(f"osslsigncode could not sign {path} (exit {result.returncode}):\n"
                               + _tail(result.stdout + result.stderr))
        shutil.copyfile(signed, path)


def _sign_signtool(executable: str, path: Path) -> None:
    env = os.environ
    command = [executable, "sign", "/fd", "SHA256", "/d", DESCRIPTION]
    if env.get("SIGN_CERT_SHA1"):
        command += ["/sha1", env["SIGN_CERT_SHA1"]]
    elif env.get("SIGN_CERT_SUBJECT"):
        command += ["/n", env["SIGN_CERT_SUBJECT"]]
    elif env.get("SIGN_DLIB") and env.get("SIGN_DMDF"):
        command += ["/dlib", env["SIGN_DLIB"], "/dmdf", env["SIGN_DMDF"]]
    elif env.get("SIGN_PFX_PATH"):
        # signtool only takes a .pfx password as /p on its command line, visible to every process.
        raise SigningError(
            "signtool with SIGN_PFX_PATH would put the password on a command line. Import the .pfx "
            "into your certificate store instead and set SIGN_CERT_SHA1 to its thumbprint:\n"
            "  $pw = ConvertTo-SecureString $env:SIGN_PFX_PASSWORD -AsPlainText -Force\n"
            "  (Import-PfxCertificate -FilePath $env:SIGN_PFX_PATH -CertStoreLocation "
            "Cert:\\CurrentUser\\My -Password $pw).Thumbprint"
        )
    else:
        raise SigningError("no certificate for signtool.\n" + CERTIFICATE_HELP)
    if timestamp_url():
        command += ["/tr", timestamp_url(), "/td", "SHA256"]
    result = subprocess.run(command + [str(path)], capture_output=True, text=True,
                            errors="replace", check=False)
    if result.returncode != 0:
        raise SigningError(f"signtool could not sign {path} (exit {result.returncode}):\n"
                           + _tail(result.stdout + result.stderr))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=CERTIFICATE_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("sign", "verify"))
    parser.add_argument("--tool", choices=TOOLS, required=True)
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.action == "sign":
            record = sign(args.file, args.tool)
            stamp = "timestamped" if record.timestamped else "NOT timestamped (no SIGN_TIMESTAMP_URL)"
            print(f"signed and verified {args.file.name} with {args.tool}, SHA-256, {stamp}")
        else:
            verify(args.file, args.tool)
            print(f"signature of {args.file.name} verifies ({args.tool})")
    except SigningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
