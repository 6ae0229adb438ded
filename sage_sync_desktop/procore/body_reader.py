"""Reading an HTTP answer's body against a deadline, so the timeout bounds the whole request.

A socket timeout only bounds each wait for data: a server that trickles its answer a byte a
second never trips it (a 5 s timeout once took 95 s). The body is read as it arrives and the
read stops once the deadline has passed. Works on the streamed `requests` response the
transport hands in; it imports nothing from requests itself (the transport owns that library).
"""

from __future__ import annotations

import time
from typing import Any

import urllib3.exceptions

_CHUNK = 65536


class AnswerCutOff(Exception):
    """The body did not arrive in time, or the connection broke while it did."""

    def __init__(self, why: str, *, timed_out: bool) -> None:
        super().__init__(why)
        self.timed_out = timed_out


def read_within(response: Any, deadline: float) -> bytes:
    """The body of a streamed response; AnswerCutOff once `deadline` (time.monotonic) passed."""
    chunks: list[bytes] = []
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    try:
        pieces = (iter(lambda: read1(_CHUNK, decode_content=True), b"") if read1 is not None
                  else response.iter_content(1024))  # urllib3 1.x: no read1, small reads instead
        for chunk in pieces:
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise AnswerCutOff("the answer took longer than the timeout", timed_out=True)
    except AnswerCutOff:
        response.close()
        raise
    except (TimeoutError, urllib3.exceptions.ReadTimeoutError) as exc:
        response.close()
        raise AnswerCutOff(str(exc), timed_out=True) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        response.close()
        raise AnswerCutOff(str(exc), timed_out=False) from None
    raw.release_conn()  # read to the end: the connection goes back to the pool
    return b"".join(chunks)
