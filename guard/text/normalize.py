"""Normalize text before detection and map offsets back to the text the caller sent.

Invisible and bidirectional control characters are removed, compatibility forms are folded
by NFKC (fullwidth letters, ligatures), and common look-alikes (Cyrillic and Greek letters,
typographic quotes and dashes) become ASCII, so that none of them can hide a word from a
detector. Every normalized character remembers the span of original text it came from, so
redaction and explanations point at what the caller actually sent.

``fold_for_matching`` goes further for keyword matching: case-folded, accents stripped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Zero-width and invisible formatting characters, then bidirectional controls.
_REMOVED = frozenset(
    "\u200b\u200c\u200d\u200e\u200f"
    "\u2060\u2061\u2062\u2063\u2064"
    "\ufeff\u00ad\u180e"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069"
    "\u061c"
)

# Look-alikes folded one character to one ASCII character, after NFKC; case is kept.
_LOOKALIKES = (
    # Cyrillic
    ("аеорсухіјѕһԁԛԝ", "aeopcyxijshdqw"),  # noqa: RUF001
    ("АВЕКМНОРСТУХІЈЅ", "ABEKMHOPCTYXIJS"),  # noqa: RUF001
    # Greek
    ("οαεικνρτυχ", "oaeikvptux"),
    ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),  # noqa: RUF001
    # Quotes, primes, dashes and minus
    ("\u2018\u2019\u201a\u201b\u2032", "'''''"),
    ("\u201c\u201d\u201e\u201f", '""""'),
    ("\u2010\u2012\u2013\u2014\u2015\u2212", "------"),
)
_HOMOGLYPHS = str.maketrans("".join(a for a, _ in _LOOKALIKES), "".join(b for _, b in _LOOKALIKES))


@dataclass(frozen=True)
class NormalizedText:
    """A normalized text and, for each of its characters, the original span it came from.

    For normalized character ``j``, ``original[starts[j]:ends[j]]`` is its source. Both
    tuples are non-decreasing, so a span of normalized text maps to one original span.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __post_init__(self) -> None:
        if not len(self.starts) == len(self.ends) == len(self.text):
            raise ValueError("starts and ends must have one entry per normalized character")

    @property
    def changed(self) -> bool:
        """Whether normalization changed anything (if not, offsets are the identity)."""
        return self.text != self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span that normalized ``[start, end)`` came from.

        A span that cuts a character made from several original ones (a ligature, an
        accented letter) grows to cover all of them. An empty span maps to the position of
        the next normalized character's source, or to the end of the original at the end.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside a text of {len(self.text)}")
        if start == end:
            position = self.starts[start] if start < len(self.text) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]


def _identity(text: str) -> NormalizedText:
    return NormalizedText(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))


def normalize(text: str) -> NormalizedText:
    """Remove invisible characters, apply NFKC and fold look-alikes to ASCII; keep offsets.

    NFKC runs per cluster (a character and the combining marks after it, invisible
    characters between them ignored) so that every output character maps to exactly the
    cluster it came from; compositions across clusters (Hangul jamo) are not made.
    """
    if text.isascii():
        return _identity(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(first: int, last: int) -> None:
        """NFKC and fold the cluster whose kept characters run from ``first`` to ``last``."""
        cluster = "".join(c for c in text[first : last + 1] if c not in _REMOVED)
        composed = unicodedata.normalize("NFKC", cluster)
        folded = composed.translate(_HOMOGLYPHS)
        if folded != composed:  # a folded base may now compose with its marks
            folded = unicodedata.normalize("NFKC", folded)
        for char in folded:
            if char not in _REMOVED:
                out.append(char)
                starts.append(first)
                ends.append(last + 1)

    first = last = -1  # the open cluster's first and last kept characters
    for index, char in enumerate(text):
        if char in _REMOVED:
            continue
        if first >= 0 and unicodedata.combining(char):
            last = index
            continue
        if first >= 0:
            emit(first, last)
        first = last = index
    if first >= 0:
        emit(first, last)
    return NormalizedText(text, "".join(out), tuple(starts), tuple(ends))


def fold_for_matching(text: str) -> NormalizedText:
    """Case-fold and strip accents from already normalized text, for keyword matching.

    One character may fold to several (``ß`` to ``ss``) or to none (a lone combining mark);
    each folded character maps to the one character it came from. ``original`` is ``text``.
    """
    if text.isascii():
        folded = _identity(text)
        return NormalizedText(text, text.lower(), folded.starts, folded.ends)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        for piece in _strip_marks(_strip_marks(char).casefold()):
            out.append(piece)
            starts.append(index)
            ends.append(index + 1)
    return NormalizedText(text, "".join(out), tuple(starts), tuple(ends))


def _strip_marks(text: str) -> str:
    """``text`` decomposed (NFD) without its combining marks."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def compose(outer: NormalizedText, inner: NormalizedText) -> NormalizedText:
    """Chain two mappings: ``inner`` was made from ``outer.text``; offsets go to ``outer``'s
    original. Used to map a span of folded text straight back to the caller's text."""
    if inner.original != outer.text:
        raise ValueError("inner must have been made from outer's text")
    starts = tuple(outer.starts[s] for s in inner.starts)
    ends = tuple(outer.ends[e - 1] for e in inner.ends)
    return NormalizedText(outer.original, inner.text, starts, ends)
