"""Text from Sage and Procore made safe for a terminal before it is printed.

A description or a Procore error can hold control characters (an escape sequence can recolour,
retitle or clear the console, a carriage return can overwrite what was printed) and bidi marks
that make a line read differently from what it holds (U+202E). Each is shown as a visible
escape (`\\x1b`, `\\u202e`) instead; the data itself is never changed, only how it is printed.
"""

from __future__ import annotations

import re
import sys

# C0 controls except newline, DEL, C1 controls, and the invisible marks that reorder or hide text:
# bidi embeddings/overrides/isolates, LRM/RLM/ALM, zero-width characters, line/paragraph separators.
_UNSAFE = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff"
_UNSAFE_KEEP_NEWLINES = re.compile(f"[{_UNSAFE}]")
_UNSAFE_ALL = re.compile(f"[{_UNSAFE}\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = True) -> str:
    """The text with every control character and bidi mark shown as an escape."""
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE_ALL
    return pattern.sub(_escape, str(text))


def say(text: str = "", *, error: bool = False, end: str = "\n", flush: bool = False) -> None:
    """Print escaped text without ever failing on a console that cannot show a character (cp1252)."""
    stream = sys.stderr if error else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    safe = printable(text)
    stream.write(safe.encode(encoding, errors="replace").decode(encoding, errors="replace") + end)
    if flush:
        stream.flush()
