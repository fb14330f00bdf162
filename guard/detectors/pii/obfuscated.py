"""Identifiers written so that a plain pattern misses them.

- ``find_ssns``: a US social security number without dashes (``078051120``, ``078 05 1120``)
  next to a context word ("SSN", "social security"), valid by the SSA's rules (no area 000,
  666 or 900-999, no group 00, no serial 0000). Presidio scores a bare nine-digit number
  0.05, and its context boost stops short of any useful threshold.
- ``find_spelled_emails``: an email address spelled out to pass a filter
  (``jane dot doe at example dot com``, ``jane(at)example(dot)org``, ``jane [at] example.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    why: str


_SSN = re.compile(r"(?<![\w-])(\d{3})[ .]?(\d{2})[ .]?(\d{4})(?![\w-])")
_SSN_CONTEXT = re.compile(
    r"(?i)\b(?:ssn|ss#|social security(?: number| no\.?| #)?|soc\.? sec\.?)\b"
)


def find_ssns(text: str) -> list[Found]:
    found = []
    for match in _SSN.finditer(text):
        area, group, serial = match.groups()
        if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
            continue
        near = (
            text[max(0, match.start() - 40) : match.start()]
            + " "
            + text[match.end() : match.end() + 20]
        )
        if _SSN_CONTEXT.search(near):
            found.append(Found(match.start(), match.end(), "SSN without dashes, context"))
    return found


_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\.)"
_TLD = (
    r"(?:com|org|net|edu|gov|mil|int|io|co|ai|app|dev|info|biz|me|us|uk|de|fr|es|it|nl|be|"
    r"ch|at|se|no|dk|fi|pl|cz|pt|ie|ca|au|nz|jp|cn|in|br|mx|ru|za)"
)
_SPELLED_EMAIL = re.compile(
    rf"(?i)(?<![\w.])[a-z0-9][a-z0-9_+\-]*(?:{_DOT}[a-z0-9_+\-]+)*{_AT}"
    rf"[a-z0-9][a-z0-9\-]*(?:{_DOT}[a-z0-9\-]+)*{_DOT}{_TLD}(?![\w])"
)
_MAIL_CONTEXT = re.compile(r"(?i)\b(?:e-?mail|mail|write|contact|reach|address|send)\w*\b")
_PLAIN_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[a-z]{2,}$", re.IGNORECASE)


def find_spelled_emails(text: str) -> list[Found]:
    found = []
    for match in _SPELLED_EMAIL.finditer(text):
        value = match.group()
        if _PLAIN_EMAIL.match(value):
            continue  # an ordinary address: Presidio's recognizer reports it
        bracketed = re.search(r"(?i)@|\[\s*at\s*\]|\(\s*at\s*\)", value)
        if not bracketed:
            # "x at y dot com" is also how people talk: an address only with a mail word near
            before = text[max(0, match.start() - 40) : match.start()]
            local = re.split(r"(?i)\s+at\s+", value)[0]
            if not (_MAIL_CONTEXT.search(before) or re.search(r"(?i)\bdot\b|[._\d]", local)):
                continue
        found.append(Found(match.start(), match.end(), "email address spelled out"))
    return found
