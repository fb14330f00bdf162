"""Postal addresses, which Presidio has no recognizer for: street lines, and the block of
unit, town, region, postcode and country lines that follows one.

A street line is a house number next to a street name (``221B Baker Street``, ``Rue du Bac
12``, ``Auerstrasse 84``, ``P.O. Box 101``); what makes it a street is a street-type word
in English or a European language, or, for a bare ``12 Name Name 34``, a context word such
as "address" or "lives at" before it, or a unit or postcode after it. From a street line
the match grows over the following comma- or line-separated parts while they look like
address parts (short, capitalised or upper-case, a unit, a postcode, a country), so a
whole letter-head address is one finding. Scores: 0.85 for a street-type line, 0.6 for a
bare number-name-number line with support, 0.35 without (under every shipped threshold).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from guard.detectors.leads import Lead, earliest, lead
from guard.detectors.pii.gazetteer import COUNTRY_PATTERN
from guard.detectors.pii.recognizer import GuardRecognizer, Match

_L = r"[^\W\d_]"  # a letter, any script
_WORD = rf"(?:{_L}[\w'’.\-]*|\d+(?:st|nd|rd|th)\b)"
_CAP_WORD = r"(?:[^\W\d_a-z][\w'’.\-]*|(?:de|da|do|dos|das|del|della|di|du|la|le|van|von|der|den|y|e|el|al)\b)"
_NUM = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,4}[A-Za-z]?)?"

_STREET_TYPES = (
    "street|st|str|u|út|utca|rakpart|körút|tér|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|"
    "square|sq|terrace|ter|parkway|pkwy|highway|hwy|circle|cir|crescent|cres|close|row|alley|"
    "trail|trl|plaza|park|gardens|grove|hill|mews|walk|wharf|quay|green|view|heights|ridge|"
    "loop|pike|run|path|bypass|causeway|expressway|freeway|turnpike"
)
_STREET_SUFFIXES = (
    "straße|strasse|stasse|str\\.|gasse|weg|allee|platz|ring|damm|ufer|steig|chaussee|laan|"
    "straat|gracht|plein|kade|singel|dijk|gata|gatan|vägen|väg|gränd|vej|vegen|veien|veg|"
    "stigen|stien|tie|katu|kuja|polku|utca|ulica|ulice|út|sor|tér|gade|stræde|torv|"
    "stræti|vegur|gil|hrauni|braut|sokak|caddesi|bulvarı|road|street"
)
_STREET_PREFIXES = (
    "rue|rua|r\\.|r|via|viale|vicolo|piazza|corso|calle|c/|avenida|avda\\.?|av\\.|carrer|plaza|"
    "praça|travessa|largo|estrada|rodovia|boulevard|bd|chemin|allée|impasse|quai|place|cours|"
    "route|ulica|ul\\.|aleja|al\\.|strada|calea|bulevardul|odos|leoforos|rambla|paseo|camino|"
    "carretera|jalan|jl\\.|ruta"
)
_STREET_PREFIXES_CASED = (
    "|".join(f"{p[0].upper()}{p[1:]}|{p.upper()}" for p in _STREET_PREFIXES.split("|"))
    + "|"
    + _STREET_PREFIXES.replace("|r|", "|").replace("|bd|", "|")
)
_UNIT_KINDS = "apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|bldg|building|lot|box"
_UNIT = rf"(?:{_UNIT_KINDS})\.?\s*#?\s*\w{{1,6}}"
_POSTCODE = (
    r"(?:\d{5}(?:-\d{4})?|\d{4}|\d{3}\s?\d{2}|\d{2}-\d{3}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d)"
)

_SEP = r"[ \t]+"
_LEAD = rf"(?:(?i:{_UNIT})[ \t,]+)?"
_STREET_WITH_TYPE = re.compile(
    rf"(?<![\w.-]){_LEAD}(?:{_NUM}[ \t,]+)?{_NUM}{_SEP}(?:{_CAP_WORD}{_SEP}){{0,4}}(?i:{_STREET_TYPES})"
    rf"\b\.?(?:{_SEP}(?:[NSEW]{{1,2}}|{_NUM})\b)?",
)
# "Hauptstraße 12", "Jan van Galenstraat 12": after capitalised words, the word the suffix
# ends is capitalised too (so "This is" cannot still become "This isweg 12").
_STREET_WITH_SUFFIX = re.compile(
    rf"(?<![\w.-]){_LEAD}(?:{_NUM}{_SEP})?(?:(?:{_CAP_WORD}{_SEP}){{1,3}}?(?:[^\W\d_a-z]{_L}*)?|{_L}*)"
    rf"(?i:{_STREET_SUFFIXES})"
    rf"(?:{_SEP}{_NUM})\b",
)
_STREET_WITH_PREFIX = re.compile(
    rf"(?<![\w.-]){_LEAD}(?:(?:{_NUM}[ \t,]+){{0,2}}(?:{_STREET_PREFIXES_CASED}){_SEP}(?:{_WORD}{_SEP}){{0,5}}?"
    rf"{_NUM}\b|{_NUM}[ \t,]+(?:{_STREET_PREFIXES_CASED}){_SEP}(?:{_WORD}{_SEP}){{0,4}}?"
    rf"{_WORD}(?=[ \t]*(?:,|\n|$)))",
)
_PO_BOX = re.compile(
    rf"(?<![\w.-])(?:{_NUM}{_SEP})?(?i:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*\d+"
)
_BARE = re.compile(
    rf"(?<![\w.,-]){_LEAD}(?:{_NUM}[ \t]+)?{_NUM}{_SEP}{_WORD}(?:{_SEP}{_WORD}){{0,3}}{_SEP}{_NUM}"
    r"\b(?![.,]\d)",
)
_CONTEXT = re.compile(
    r"(?i)\b(?:address|addr|lives?|living|located|live[sd]?\s+at|resid\w*|moved?|ship\w*|"
    r"deliver\w*|mail\w*|send|sent|office|visit\w*|meet\s+me|located|home|house|street|"
    r"apartment|headquarters|hq|(?:is|are|was|were|lives?|located|arrived|taxi|one)\s+(?:at|to|in))\b[^.\n]{0,40}$"
)
_MILITARY = re.compile(
    r"(?:(?:USNS|USNV|USS|USCGC|PSC|Unit)[ \t][^\n,]{1,30}(?:,[ \t]*Box[ \t]+\d+)?[ \t]*\n?[ \t]*)?"
    r"\b(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5}\b"
)
_CORNER = re.compile(
    r"(?i:\b(?:the[ \t]+)?corner[ \t]+of)[ \t]+[^\n,;?!]{2,50}?[ \t]+and[ \t]+[^\n,;?!]{2,50}?"
    r"(?=[ \t]*(?:[.,;?!](?:\s|$)|\n|$))"
)
# "Spencer and Søndre Havnevej 65": a crossing named before the street line.
_CROSSING_WORDS = rf"(?<![\w]){_CAP_WORD}(?:[ \t]{_CAP_WORD})?[ \t]+and[ \t]+"
_CROSSING = re.compile(f"{_CROSSING_WORDS}$")
# A crossing before the street line that may still follow it (held while it is written).
_CROSSING_BEGUN = re.compile(_CROSSING_WORDS)
_LINE_START = re.compile(r"\n[ \t>?*\-•]*")
_TYPE_WORD = re.compile(rf"(?i:{_STREET_TYPES})\.?")


def _is_type(word: str) -> bool:
    return _TYPE_WORD.fullmatch(word) is not None


_UNIT_PART = re.compile(rf"(?i:{_UNIT})")
_POSTCODE_PART = re.compile(_POSTCODE)
_POSTCODE_END = re.compile(rf"(?<![\w])(?:{_POSTCODE})$")
# One part of the block after a street line: a unit, a postcode, "Town", "Town, ST 12345",
# "COUNTRY 12345", at most six words, nothing that ends a sentence.
_BLOCK_GAP = re.compile(r"[ \t]*(?:,[ \t]*\n?|\n)(?:[ \t]*\n)?[ \t>?*\-•,]*|[ \t]+")
_ZIP = re.compile(
    r"(?i:\b(?:zip|postal|post)\s?(?:code)?(?:\s+is|:)?\s+)(\d{5}(?:-\d{4})?|\d{4})\b"
)


@dataclass(frozen=True, slots=True)
class AddressMatch:
    start: int
    end: int
    score: float
    kind: str


def _extend(text: str, end: int) -> tuple[int, bool]:
    """Grow an address over the parts that follow; True when one was a unit, postcode or
    country (support for a bare number-name-number line)."""
    supported = False
    for _ in range(7):
        gap = _BLOCK_GAP.match(text, end)
        if gap is None:
            break
        part = _part_at(text, gap.end())
        if part is None:
            break
        value = text[gap.end() : part]
        line_end = text.find("\n", part)
        rest = text[part : len(text) if line_end < 0 else line_end].lstrip()
        strong = _is_strong_part(value)
        if gap.group().count("\n") > 1 and not strong:
            break  # past a blank line only a postcode or country still belongs
        if not strong and rest and not re.match(r"[,.;!?](?:\s|$)|,", rest):
            break  # the part runs into a sentence; not an address line
        supported = supported or strong
        end = part
    return end, supported


def _part_at(text: str, start: int) -> int | None:
    """End of the address part starting at ``start``: a unit, or a run of up to six
    capitalised words and numbers (all lower-case where the text is), else None."""
    unit = _UNIT_PART.match(text, start)
    if unit:
        return unit.end()
    end = start
    words = 0
    for word in _PART_WORD.finditer(text, start):
        if word.start() != end and text[end : word.start()].strip(" \t"):
            break
        if word.start() != end and words == 0:
            break
        token = word.group().strip()
        if not (
            token[0].isdigit()
            or token[0].isupper()
            or token.lower() in _PARTICLES
            or token == "nan"
            or text.islower()
        ):
            break
        end = word.end()
        words += 1
        if words == 6:
            break
    return end if words and end - start <= 60 else None


_PART_WORD = re.compile(rf"[ \t]*(?:{_WORD}|\d{{1,6}}(?:-\d{{3,4}})?)")


def _is_strong_part(value: str) -> bool:
    value = value.strip()
    tail = re.sub(r"[\s\d.,-]+$", "", value)
    return bool(
        _UNIT_PART.fullmatch(value)
        or re.search(r"\b\d{4,5}\b|\b[A-Z]{2,3}$", value)
        or _POSTCODE_END.search(value)
        or _ends_with_country(tail)
    )


def _ends_with_country(value: str) -> bool:
    return any(m.end() == len(value) for m in COUNTRY_PATTERN.finditer(value))


_PARTICLES = {
    "de",
    "da",
    "do",
    "dos",
    "das",
    "del",
    "della",
    "di",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "y",
    "e",
    "el",
    "al",
    "am",
    "an",
    "im",
    "sur",
    "upon",
    "on",
    "of",
    "and",
    "the",
}


_LINES = (
    ("street", _STREET_WITH_TYPE, 0.85),
    ("street", _STREET_WITH_SUFFIX, 0.85),
    ("street", _STREET_WITH_PREFIX, 0.75),
    ("po-box", _PO_BOX, 0.85),
    ("military", _MILITARY, 0.85),
    ("corner", _CORNER, 0.75),
    ("number-name-number", _BARE, 0.0),
)


def find_addresses(text: str) -> list[AddressMatch]:
    """Every postal address in ``text``, longest first where two overlap."""
    found: list[AddressMatch] = []
    for kind, pattern, score in _LINES:
        for match in pattern.finditer(text):
            end, supported = _extend(text, _line_end(match))
            value = score
            if kind == "number-name-number":
                context = _CONTEXT.search(text, max(0, match.start() - 60), match.start())
                value = 0.6 if supported or context else 0.35
            start = match.start()
            crossing = _CROSSING.search(text, max(0, start - 40), start)
            if crossing and kind != "corner":
                start = crossing.start()
            if "\n" in text[start:end]:
                start = _letterhead_start(text, start)
            found.append(AddressMatch(start, end, value, kind))
    for match in _ZIP.finditer(text):
        found.append(AddressMatch(match.start(1), match.end(1), 0.7, "postcode"))
    return _keep_longest(found)


def _line_end(match: re.Match[str]) -> int:
    """Where a street line ends: before a last word that repeats its type in lower case
    ("Main Street street")."""
    words = match.group().split()
    if len(words) > 2 and words[-1].islower() and _is_type(words[-2]):
        return match.start() + match.group().rstrip().rfind(" ")
    return match.end()


def _widest_start(text: str, start: int) -> int:
    """Where an address whose line starts at ``start`` may begin once it is whole: at a
    crossing named before it, or at the letter-head lines above it."""
    crossing = _CROSSING.search(text, max(0, start - 40), start)
    return _letterhead_start(text, crossing.start() if crossing else start)


@cache
def _leads() -> tuple[list[Lead], list[Lead]]:
    """The street lines' leads, and the postcode's and the crossing's."""
    streets = [lead(pattern, widen=_widest_start) for _, pattern, _ in _LINES]
    return streets, [lead(_ZIP), lead(_CROSSING_BEGUN, widen=_letterhead_start)]


def address_lead(text: str) -> int:
    """Where the end of ``text`` may still be the beginning of an address (for a stream's
    hold-back): a street line, a crossing before one or a postcode still arriving (a
    prefix of one), a whole one whose block of parts may still grow (its score too: a part
    supports a bare line), or the lines, the one being written included, that a street
    line starting on the next line would take as its letter-head."""
    streets, others = _leads()
    held = earliest([*streets, *others], text)
    # A street line still arriving takes more than itself where it starts a line (the
    # letter-head above) or follows a crossing; the earliest one found above may not.
    starts = {0, *(m.end() for m in _LINE_START.finditer(text))}
    starts |= {m.end() for m in _CROSSING_BEGUN.finditer(text)}
    for start in sorted(starts):
        if start < len(text) and any(
            street.anchored.match(text, start, partial=True) for street in streets
        ):
            held = min(held, _widest_start(text, start))
    for _, pattern, _ in _LINES:
        for match in pattern.finditer(text):
            end, _ = _extend(text, _line_end(match))
            if _part_begun(text, end):
                held = min(held, _widest_start(text, match.start()))
    if text.strip() and not text.endswith("\n"):
        # The line being written, as it is and grown: by its last word (which may still
        # turn from a sentence's into a name's, "is" -> "Isabel", or lose a final full
        # stop) or by a word more (after a space); either may end up a head line.
        grown = text + ("X" if text[-1].isspace() else "x")
        for line_end in (len(text), len(grown)):
            final = grown[:line_end]
            head = _letterhead_start(f"{final}\n", line_end + 1)
            if head <= line_end:
                held = min(held, head)
    return held


def _part_begun(text: str, end: int) -> bool:
    """Whether what follows a block that ends at ``end`` may still become a part of it
    (``_extend``): a gap and words a part is made of (numbers, capitalised words,
    particles, any word where the text is all lower case), the last one perhaps still
    being written; a character no part holds ends that."""
    rest = _GAP_MARKS.sub(r"\1 ", text[end:])  # a line's "> " or "??? " opens no part
    if _PART_BREAK.search(rest):
        return False
    lower = text.islower()
    words = rest.replace(",", " ").split()
    growing = bool(words) and not rest[-1].isspace()
    for index, word in enumerate(words):
        token = word.lstrip(">?*-•'’\"#")
        if not token or lower or token[0].isdigit() or token[0].isupper():
            continue
        if token.lower().rstrip(".") in _PART_KEYWORDS:
            continue
        last = growing and index == len(words) - 1
        if last and any(p.startswith(token.lower()) for p in _PART_KEYWORDS):
            continue  # a keyword still being written
        return False
    return True


# Lower-case words a part may hold in a text that is not all lower case.
_PART_KEYWORDS = frozenset({"nan", *_UNIT_KINDS.split("|"), *_PARTICLES})
_GAP_MARKS = re.compile(r"([\n,])[ \t>?*\-•,]*")
# What a part of a block never holds, and a paragraph break (past it only a postcode or a
# country still belongs: held as long as the words after it may still be one).
_PART_BREAK = re.compile(r"[;:!?()\[\]{}]|\n[ \t]*\n[ \t]*\n")


_LINE_PREFIX = re.compile(r"[ \t>?*\-•]*")
_HEAD_LINE = re.compile(r"[ \t>?*\-•]*[^\W\d_][^\n:;!?]{0,58}")


# Words of a sentence, which an addressee, a title or a company name does not hold.
_SENTENCE_WORD = re.compile(
    r"(?i)(?<![\w'’-])(?:is|are|was|were|be|been|am|has|have|had|do|does|did|will|would|can|"
    r"could|should|shall|may|might|must|i|you|he|she|it|we|they|this|that|these|those|here|"
    r"there|not|if|so|but|because|what|which|who|how|why|when)(?![\w'’-])"
)


def _is_head_line(line: str) -> bool:
    """A line of a letter-head: short, no end of a sentence, no word only a sentence has,
    and not opened as a sentence is ("The capital of", "To reset": a function word and a
    lower-case word; "The Boeing Company" and "For Jane Doe" are head lines)."""
    words = line.lstrip(" \t>?*-•").split()
    opened = (
        len(words) > 1
        and words[0].lower() in _SENTENCE_OPENERS
        and words[1][:1].islower()
        # a particle, or the beginning of one (a stream's word still being written)
        and not any(p.startswith(words[1].lower()) for p in _PARTICLES)
    )
    return bool(
        _HEAD_LINE.fullmatch(line)
        and len(words) <= 6
        and not line.rstrip().endswith(".")
        and not _SENTENCE_WORD.search(line)
        and not opened
    )


_SENTENCE_OPENERS = frozenset(
    {"the", "a", "an", "to", "in", "on", "for", "with", "from", "by", "as", "at", "of", "and", "or"}
)


def _letterhead_start(text: str, start: int) -> int:
    """A multi-line address starting a line takes the up to three short lines right above
    it (addressee, title, company): together they are the postal address block."""
    line_start = text.rfind("\n", 0, start) + 1
    if _LINE_PREFIX.fullmatch(text, line_start, start) is None:
        return start
    new_start = start
    cursor = line_start
    blank = False
    for _ in range(3):
        if cursor == 0:
            break
        previous = text.rfind("\n", 0, cursor - 1) + 1
        line = text[previous : cursor - 1]
        if not line.strip() and not blank and new_start == start:
            blank, cursor = True, previous
            continue
        if not _is_head_line(line):
            break
        new_start = previous + len(line) - len(line.lstrip(" \t>?*-•"))
        cursor = previous
    return new_start


def _keep_longest(matches: list[AddressMatch]) -> list[AddressMatch]:
    kept: list[AddressMatch] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start), -m.score)):
        if kept and match.start < kept[-1].end:
            last = kept[-1]
            if match.end > last.end or match.score > last.score:
                kept[-1] = AddressMatch(
                    last.start, max(last.end, match.end), max(last.score, match.score), last.kind
                )
            continue
        kept.append(match)
    return kept


class GuardAddressRecognizer(GuardRecognizer):
    ENTITIES = ("ADDRESS",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return [
            Match("ADDRESS", m.start, m.end, m.score, f"postal address ({m.kind})")
            for m in find_addresses(text)
        ]

    def lead(self, text: str) -> int:
        return address_lead(text)
