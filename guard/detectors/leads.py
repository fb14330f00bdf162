"""Where a streamed answer may still be the beginning of a finding (a detector's ``stream_lead``).

A stream is released as it is scanned; what must be held is a tail that more text could
turn into a finding, or into a longer one, starting in it: ``jane`` may become
``jane@example.com``, ``4111 1111`` a card number. For a pattern that question has an exact
answer: the tail from offset ``s`` is held when it is a prefix of some match
(``regex``'s partial matching of the pattern anchored at the end, ``(?:P)\\Z``), or when a
match ends within ``reach`` characters of the end (a finder that reads context after its match,
such as an SSN's context word in the 20 characters after the number). A detector made of
patterns declares them as ``Lead``\\ s and holds exactly that; one that cannot say holds the
stream's whole hold-back window.

Patterns are compiled with the ``regex`` module, which reads the ``re`` syntax the
detectors use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

# A pattern the ``regex`` module does not read as ``re`` does.
PatternError = regex.error


@dataclass(frozen=True)
class Lead:
    """A pattern a finding starts with, and how far past a match the finder still reads."""

    pattern: Any  # compiled by ``regex``
    # the pattern, then the end of the text: a whole match of it is a match to the end, a
    # partial one a prefix of a match
    anchored: Any
    reach: int = 0
    # Where a finding from a match at ``start`` really begins (an address takes the lines
    # above it); the identity by default.
    widen: Callable[[str, int], int] | None = None


# ``re``'s flags as ``regex`` numbers them (ASCII differs).
_FLAGS = (
    (re.IGNORECASE, regex.IGNORECASE),
    (re.MULTILINE, regex.MULTILINE),
    (re.DOTALL, regex.DOTALL),
    (re.VERBOSE, regex.VERBOSE),
    (re.ASCII, regex.ASCII),
)
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


@lru_cache(maxsize=1024)
def _compiled(pattern: str, flags: int) -> tuple[Any, Any]:
    """``pattern`` compiled by ``regex`` (its flags), and anchored at the end of the text
    (inline flags that open it stay in front)."""
    opening = _GLOBAL_FLAGS.match(pattern)
    front = opening.group() if opening else ""
    anchored = f"{front}(?:{pattern[len(front) :]})\\Z"
    if flags & regex.VERBOSE:
        anchored = f"{front}(?:{pattern[len(front) :]}\n)\\Z"  # a trailing comment ends
    return regex.compile(pattern, flags), regex.compile(anchored, flags)


@lru_cache(maxsize=1024)
def lead(
    pattern: str | re.Pattern[str],
    flags: int = 0,
    *,
    reach: int = 0,
    widen: Callable[[str, int], int] | None = None,
) -> Lead:
    """A ``Lead`` from a pattern string and ``re`` flags, or a compiled ``re`` pattern (one
    per pattern and settings: a recognizer may ask for its leads at every call)."""
    if isinstance(pattern, re.Pattern):
        source, flags = pattern.pattern, pattern.flags
    else:
        source = pattern
    theirs = sum(regex_flag for ours, regex_flag in _FLAGS if flags & ours)
    return Lead(*_compiled(source, theirs), reach, widen)


def native_lead(pattern: str, flags: int = 0, *, reach: int = 0) -> Lead:
    """A ``Lead`` from a pattern written for ``regex`` and its flags (Presidio's)."""
    return Lead(*_compiled(pattern, flags), reach)


def viable_start(item: Lead, text: str, floor: int = 0) -> int:
    """The earliest offset from ``floor`` from which the end of ``text`` may still belong to a
    match of ``item`` (``len(text)`` when none).

    ``regex``'s partial search returns the leftmost whole match if there is one, and the
    leftmost partial match only where there is none; so before a whole match (to the end)
    the text is searched again cut at its start, whose partial matches are the candidates
    for one that runs on over it (a prefix of a viable tail is one too)."""
    end = len(text)
    held = end
    found = item.anchored.search(text, floor, partial=True)
    if found is not None:
        held = found.start()
        if not found.partial:
            earlier = _running_over(item.anchored, text, floor, held)
            held = held if earlier is None else earlier
    if item.reach:
        for match in item.pattern.finditer(text, floor):
            if match.start() >= held:
                break
            if match.end() >= end - item.reach:
                held = match.start()
                break
    return held if item.widen is None else min(held, item.widen(text, held))


def _running_over(anchored: Any, text: str, position: int, limit: int) -> int | None:
    """The first offset in ``[position, limit)`` from which ``text`` to its end is a prefix
    of a match."""
    while position < limit:
        candidate = anchored.search(text, position, limit, partial=True)
        if candidate is None or candidate.start() >= limit:
            return None
        if not candidate.partial:  # a whole match to the cut hides the partial ones before it
            earlier = _running_over(anchored, text, position, candidate.start())
            if earlier is not None:
                return earlier
        if anchored.fullmatch(text, candidate.start(), partial=True) is not None:
            return candidate.start()
        position = candidate.start() + 1
    return None


def earliest(leads: Iterable[Lead], text: str) -> int:
    """The earliest offset from which ``text`` may still become a match of any of ``leads``."""
    held = len(text)
    for item in leads:
        held = min(held, viable_start(item, text))
        if held == 0:
            break
    return held


def trailing(chars: str, text: str) -> int:
    """Where the run of ``chars`` (a character class body) that ends ``text`` begins."""
    found = _compiled(rf"[{chars}]+", 0)[1].search(text)
    return len(text) if found is None else found.start()
