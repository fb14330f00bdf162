"""Recognizers guard adds to Presidio's, as plain functions over text (no Presidio types).

- ``find_phones``: phone numbers in national and international formats, including short
  local ones (``785 8949``, ``(35) 609-270``) that ``phonenumbers`` cannot place without a
  region, scored up by a context word (call, phone, fax, mobile, …) or a strong format
  (a ``+`` prefix, a bracketed area code, an extension).
- ``find_organizations``: names ending in a legal form (``Smith Ltd.``, ``frost llc``).
- ``find_names``: names after a cue that only a name follows (``my name is``, ``Name:``,
  ``Dear``, ``Mr.``/``Dr.``), and every other occurrence of a name found anywhere in the
  text, plus the rest of a list (``Jan, Kristi and Julie``) one of whose members is a name.
- ``is_specific_date``: whether a DATE_TIME span is a calendar date or a time of day (a
  birth date) rather than "this morning" or "the 60s", which identify nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Match:
    entity: str
    start: int
    end: int
    score: float
    why: str


_PHONE = re.compile(
    r"(?<![\w+.-])(?:(?:\+|00)\d{1,3}[ .-]?|001-)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}"
    r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w.-]*\d)|(?<![\w+.-])\(\d{2,4}\)[ ]?\d{3,4}[ .-]?\d{3,4}"
    r"(?:[ ]?(?:x|ext\.?)[ ]?\d{1,6})?(?![\w-]*\d)|(?<![\w+-])\+\d{8,14}(?!\d)"
)
_PHONE_CONTEXT_BEFORE = re.compile(
    r"(?i)\b(?:call|phone|tel|telephone|mobile|cell|fax|reach|contact|number|whatsapp|sms|text|"
    r"dial|ring|office|landline|hotline|answering|no\.?)\b[^\n\d]{0,25}$"
)
_PHONE_CONTEXT_AFTER = re.compile(r"(?i)^[\s\-:,\\]{0,3}(?:office|fax|mobile|cell|home|work|tel)\b")
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}-\d{1,2}-\d{2,4}$|^\d{1,3}(?:\.\d{1,3}){3}$")
_STRONG_PHONE = re.compile(r"^(?:\+|00|001-)|^\(\d+\)|(?:x|ext\.?|#)\s?\d+$")


def find_phones(text: str) -> list[Match]:
    found = []
    for match in _PHONE.finditer(text):
        value = match.group()
        digits = sum(c.isdigit() for c in re.sub(r"(?:x|ext\.?|#)\s?\d+$", "", value))
        if digits < 6 or digits > 15 or _DATE_LIKE.match(value):
            continue
        before = _PHONE_CONTEXT_BEFORE.search(text, max(0, match.start() - 40), match.start())
        after = _PHONE_CONTEXT_AFTER.match(text[match.end() : match.end() + 12])
        strong = bool(_STRONG_PHONE.search(value)) and digits >= 7
        if before or after:
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.75, "phone, context"))
        elif strong:
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.6, "phone format"))
        elif digits >= 9 and re.search(r"\d{3}[ .-]\d{3,4}[ .-]\d{4}$", value):
            found.append(Match("PHONE_NUMBER", match.start(), match.end(), 0.5, "phone format"))
    return found


_LEGAL_FORM = (
    r"inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|s\.a|"
    r"plc|llp|lp|bv|b\.v|nv|n\.v|srl|s\.r\.l|spa|s\.p\.a|oy|ab|as|a/s|kg|ohg|pty|pvt|group|"
    r"holdings|partners|associates|foundation|institute|university|bank"
)
_ORG_WORD = r"[^\W\d_][\w&'’.\-]*"
_LEGAL_FORM_AT = re.compile(rf"[ ,]+(?i:{_LEGAL_FORM})\b\.?")
_ORG_NAME_WORD = re.compile(rf"({_ORG_WORD})(?:,? and |, | & | |-)?$")


def find_organizations(text: str) -> list[Match]:
    """A legal form (Ltd., LLC, GmbH, …) and the up to five name words before it."""
    lower = text.islower()
    found = []
    for form in _LEGAL_FORM_AT.finditer(text):
        start = form.start()
        words = 0
        while words < 5:
            word = _ORG_NAME_WORD.search(text, max(0, start - 40), start)
            if word is None:
                break
            token = word.group(1)
            if token.lower() in _FUNCTION_WORDS or not (token[0].isupper() or lower):
                break
            start = word.start(1)
            words += 1
        if words:
            found.append(Match("ORGANIZATION", start, form.end(), 0.7, "legal form"))
    return found


_FUNCTION_WORDS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "by",
    "from",
    "is",
    "was",
    "my",
    "our",
    "your",
    "their",
    "this",
    "that",
    "i",
    "we",
    "you",
    "he",
    "she",
    "it",
    "they",
    "me",
    "us",
    "him",
    "her",
    "them",
    "as",
    "but",
    "if",
    "so",
    "not",
    "no",
}
_NAME_TOKEN = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*"
_STRONG_CUE = re.compile(
    r"(?i:\b(?:my name is|my name's|name is|name:|named|called|(?:'s|my|his|her|their) name|"
    r"name on the account(?: is)?\??"
    r"(?:\s*user:)?|signed|regards,|sincerely,|cheers,))[ \t]*\n?[ \t]*"
)
_TITLE_CUE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Dear)\b\.?|\b(?:mr|mrs|ms|dr)\.)[ \t]+"
)
# A speaker label opening a line of dialogue: 'Rafaela: "Who are you?"'.
_SPEAKER = re.compile(r"(?m)^[ \t>]*([A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]+)?):[ \t]*\\?[\"“]")
# "Timothy's daughter", "under my partner's name".
_KIN = re.compile(
    r"(?<![\w])([A-Z][^\W\d_]+)['’]s[ \t]+(?:daughter|son|wife|husband|mother|father|mom|dad|"
    r"sister|brother|friend|partner|boss|colleague|aunt|uncle|cousin|child|kids?|children)\b"
)
# Words that follow "hi", "thanks", "hello" without being anybody's name.
_NOT_NAMES = {
    "there",
    "everyone",
    "everybody",
    "all",
    "guys",
    "folks",
    "team",
    "again",
    "world",
    "friend",
    "friends",
    "so",
    "very",
    "for",
    "sir",
    "madam",
    "man",
    "mate",
    "back",
    "later",
    "soon",
    "now",
    "today",
    "tomorrow",
    "tonight",
    "yesterday",
    "home",
    "anytime",
    "up",
    "out",
}
_WEAK_CUE = re.compile(
    r"(?i:\b(?:call(?:s|ed)? me|named (?:him|her|them)|says|said|starring|directed by|"
    r"assistant to|hi|hello|hey|dear|thanks|thank you|your name\?|i'm|tribute to))[ \t,]+"
)
_LIST_ITEM = re.compile(r"[^\W\d_][\w'’\-]*")


def find_names(text: str, known: Iterable[tuple[int, int]]) -> list[Match]:
    """Names after a cue, other occurrences of ``known`` names, and lists holding one."""
    found: list[Match] = []
    for cue, score, why in ((_STRONG_CUE, 0.7, "name after a cue"), (_TITLE_CUE, 0.7, "title")):
        for match in cue.finditer(text):
            # "my name is jane" names her in lower case; "called about", "signed off" do not.
            lower = cue is _STRONG_CUE and ("name" in match.group().lower() or text.islower())
            span = _name_after(text, match.end(), allow_lower=lower)
            if span:
                start = match.start() if cue is _TITLE_CUE else span[0]
                found.append(Match("PERSON", start, span[1], score, why))
    for pattern, why in ((_SPEAKER, "speaker of a dialogue line"), (_KIN, "named relative")):
        for match in pattern.finditer(text):
            found.append(Match("PERSON", match.start(1), match.end(1), 0.6, why))
    for match in _WEAK_CUE.finditer(text):
        span = _name_after(text, match.end(), allow_lower=text.islower(), most=2)
        if span and text[span[0] : span[1]].split()[0].lower() in _NOT_NAMES:
            continue
        if span:
            found.append(Match("PERSON", span[0], span[1], 0.6, "name after a cue"))
    spans = [*known, *((m.start, m.end) for m in found)]
    found += _repeats(text, spans)
    found += _list_members(text, [*spans, *((m.start, m.end) for m in found)])
    return [
        m
        for m in found
        if not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in spans)
    ]


_PLACE_CUE = re.compile(
    r"(?i:\b(?:(?:lives?|living|grew up|born|raised|based|located|staying|stay|am|is|are|was|were)"
    r"[ \t]+in|(?:moved|came|relocated)(?:[ \t]+here)?[ \t]+from|hometown(?: of| is)?|"
    r"home[ \t]+(?:city|town)(?: of)?|where:|coming[ \t]+to))[ \t]+"
)
_EMPLOYER_CUE = re.compile(
    r"(?i:\b(?:works?[ \t]+(?:at|for)|working[ \t]+(?:at|for)|employed[ \t]+(?:at|by)|"
    r"is[ \t]+from|spent[ \t]+(?:a|\w+)[ \t]+(?:year|years|months?)[ \t]+at|joined|"
    r"recorded[ \t]+for|became))[ \t]+"
)


def find_cued(text: str) -> list[Match]:
    """Places after "lives in", "grew up in", "moved from", …; employers after "works at",
    "is from", "joined", …; capitalised (any case where the whole text is lower-case)."""
    found = []
    for cue, entity in ((_PLACE_CUE, "LOCATION"), (_EMPLOYER_CUE, "ORGANIZATION")):
        for match in cue.finditer(text):
            span = _name_after(text, match.end(), allow_lower=text.islower(), most=3)
            if span:
                found.append(Match(entity, span[0], span[1], 0.6, f"{entity.lower()} after a cue"))
    return found


def _name_after(
    text: str, start: int, *, allow_lower: bool, most: int = 3
) -> tuple[int, int] | None:
    end = start
    count = 0
    for token in re.finditer(rf"[ \t]*({_NAME_TOKEN})", text[start : start + 80]):
        if token.start() != end - start:
            break
        word = token.group(1)
        capitalised = word[0].isupper()
        if word.lower() in _FUNCTION_WORDS or not (capitalised or allow_lower):
            break
        end = start + token.end()
        count += 1
        if count == most:
            break
    return (start + (len(text[start:end]) - len(text[start:end].lstrip())), end) if count else None


def _repeats(text: str, spans: list[tuple[int, int]]) -> list[Match]:
    names = {text[s:e].strip() for s, e in spans}
    words = {w for n in names for w in n.split() if len(w) >= 3 and w[0].isalpha()}
    words -= {w for w in words if w.lower() in _FUNCTION_WORDS}
    if not words:
        return []
    pattern = re.compile(
        r"(?<![\w.@])(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")(?![\w@]|\.\w)",
        re.IGNORECASE,
    )
    return [Match("PERSON", m.start(), m.end(), 0.6, "same name") for m in pattern.finditer(text)]


_LIST = re.compile(
    r"(?<![\w])[^\W\d_][\w'’\-]*(?:, [^\W\d_][\w'’\-]*)*,? and [^\W\d_][\w'’\-]*(?![\w])"
)


def _list_members(text: str, spans: list[tuple[int, int]]) -> list[Match]:
    found = []
    for match in _LIST.finditer(text):
        items = [
            (m.start() + match.start(), m.end() + match.start())
            for m in _LIST_ITEM.finditer(match.group())
            if m.group() != "and"
        ]
        if not (all(text[s].isupper() for s, _ in items) or text.islower()):
            continue
        if any(s <= a < e or a <= s < b for a, b in items for s, e in spans):
            found += [Match("PERSON", a, b, 0.6, "list of names") for a, b in items]
    return found


_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_SPECIFIC_DATE = re.compile(
    rf"\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}|\d{{1,2}}:\d{{2}}|(?i:\b(?:{_MONTH})\b\.?\s+\d{{1,2}}\b)|"
    rf"(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\b)"
)


def is_specific_date(value: str) -> bool:
    return bool(_SPECIFIC_DATE.search(value))


_DATETIME = re.compile(
    r"(?<![\w/.-])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[ ]?(?:[AaPp][Mm]|Z|[+-]\d{2}:?\d{2}))?)?(?![\w/-])"
)


def find_datetimes(text: str) -> list[Match]:
    """Numeric dates with the time of day that follows them (``1994-06-17 08:11:32``)."""
    return [
        Match("DATE_TIME", m.start(), m.end(), 0.6, "date and time")
        for m in _DATETIME.finditer(text)
    ]
