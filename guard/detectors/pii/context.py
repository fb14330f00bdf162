"""Personal data means data about a person: when a place, a company, a date or a name is one.

Direct identifiers (contact data, account, card and id numbers, postal addresses) identify
someone wherever they stand. Places, organisations, dates, web addresses and groups
(``CONTEXTUAL``) may describe a person in any statement ("I moved to Lyon in March 2019",
"Algeria was fun to visit", part of an address, beside an email address), and are kept
there; they pass only in a question or request about the world ("What is the capital of
France?", "Population of Tokyo", "Compare AWS and Google Cloud pricing") whose sentence has
no personal cue ("my", "I live", "born", "works at", …), direct identifier or private name.

Names are protected unless they are full names standing in a question about the world
("Who was Albert Einstein?", "Summarize the life of Marie Curie"): a knowledge question
with no personal cue ("my", "dear", "email", "call", "patient", …) in its sentence and no
direct identifier anywhere in the text. A single first name is someone's ("Why is Daniel so
impulsive?"). A policy that wants every such mention protected sets ``context: always``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from guard.detectors.base import Finding

# Entities that identify someone only when they describe a person.
CONTEXTUAL = frozenset({"LOCATION", "ORGANIZATION", "DATE_TIME", "URL", "NRP", "DOMAIN_NAME"})
# What identifies a person wherever it stands (PERSON counts when the name is private).
DIRECT = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "US_SSN",
        "IBAN_CODE",
        "IP_ADDRESS",
        "US_PASSPORT",
        "US_DRIVER_LICENSE",
        "US_BANK_NUMBER",
        "US_ITIN",
        "UK_NHS",
        "MEDICAL_LICENSE",
        "ADDRESS",
    }
)

# Words that make what follows in the sentence about a person: where someone lives, was
# born, works or studies; their own site, birthday, employer.
_PERSONAL_CUE = re.compile(
    r"(?i)\b(?:"
    r"my|our|his|her|(?:i|we|you|he|she|they)(?:'m|'re| am| are| is| was| were)? from|"
    r"(?:i|we|they) live|lives|lived|living in|resid\w*|moved (?:to|from|in)|relocat\w*|"
    r"grew up|raised in|born|birth\w*|dob|d\.o\.b|aged|years old|"
    r"works? (?:at|for|in|as|with)|worked|working (?:at|for|in|as)|employ\w*|hired|"
    r"studied at|studying at|attend\w*|enrolled|graduat\w*|staying|booked|"
    r"address|profile|account|"
    r"patient|client|customer|employee|tenant|applicant|colleague|"
    r"friend|wife|husband|son|daughter|mother|father|mom|dad|brother|sister|neighbou?r|boss|"
    r"contact|e-?mail|call|dear|regards|sincerely|signed|appointment"
    r")\b"
)
# What makes a name someone the writer deals with, not a figure asked about.
_PRIVATE_CUE = re.compile(
    r"(?i)\b(?:"
    r"i|me|my|mine|our|we|us|you|your|dear|hi|hello|regards|sincerely|signed|"
    r"contact|e-?mail|call|phone|text|message|meet|appointment|address|account|invoice|order|"
    r"patient|client|customer|employee|tenant|applicant|colleague|coworker|manager|boss|"
    r"friend|wife|husband|son|daughter|mother|father|mom|dad|brother|sister|neighbou?r"
    r")\b"
)
# Openings of a question or request about the world (with a name or place in it, no
# personal cue), after a greeting or a polite opening if there is one.
_WORLD_QUESTION = re.compile(
    r"(?i)\W*(?:(?:hi|hello|hey|please|ok|okay|so|quick question|question)\b[,.!:]?\s*)*"
    r"(?:(?:can|could|would|will) you (?:please )?|do you know |i(?:'d| would) like to know |"
    r"i wonder |i'm curious |please )?(?:"
    r"who(?:'s| is| was| were| are| invented| wrote| discovered| founded| painted| won)|"
    r"what(?:'s| is| was| were| are| did| does| do| happened| happens)|"
    r"when(?:'s| is| was| were| did| does)|"
    r"where(?:'s| is| was| were| did| does)|why(?:'s| is| was| were| did| does)|"
    r"how(?: did| does| do| was| is| many| much| old| tall| long| far)|which|"
    r"tell me|explain|describe|summari[sz]e|"
    r"compare|list|name (?=the |a |an |some |all |\d)|translate|define|show me|"
    r"give me (?:a |an )?(?:summary|overview|history|biography|list)|"
    r"write (?:a |an )?(?:short )?(?:biography|essay|summary|poem|article|overview) "
    r"(?:of|about|on)|"
    r"(?:a |the )?(?:history|biography|life|works|population|capital|geography|economy) of"
    r")\b"
)
_SENTENCE_END = re.compile(r"[.!?;\n]+\s*|\s*\n")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around ``text[start:end]``."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    following = _SENTENCE_END.search(text, end)
    return left, following.start() if following else len(text)


def public_name(text: str, finding: Finding, others: Sequence[Finding]) -> bool:
    """A full name in a question about the world, not a person the writer deals with: no
    personal cue in its sentence and no direct identifier anywhere in the text (a record's
    other lines count). A single first name ("Why is Daniel so impulsive?") is someone's."""
    if len(text[finding.start : finding.end].split()) < 2:
        return False
    left, right = sentence_bounds(text, finding.start, finding.end)
    rest = _after_world_opening(text, left, right, finding)
    if rest is None or _PRIVATE_CUE.search(rest):
        return False
    return not any(o.category in DIRECT for o in others)


def _after_world_opening(text: str, left: int, right: int, finding: Finding) -> str | None:
    """The sentence after its opening as a question about the world, without the finding;
    None when the sentence is no such question."""
    opening = _WORLD_QUESTION.match(text, left, right)
    if opening is None:
        return None
    start = max(opening.end(), left)
    if finding.start < start:
        return text[start:right]
    return text[start : finding.start] + " " + text[finding.end : right]


def describes_person(
    text: str, finding: Finding, others: Sequence[Finding], private_names: Sequence[Finding]
) -> bool:
    """A place, company, date or web address that may tell something about someone: any
    that does not stand in a question about the world (with no personal cue, identifier or
    private name in its sentence)."""
    left, right = sentence_bounds(text, finding.start, finding.end)
    for other in [*(o for o in others if o.category in DIRECT), *private_names]:
        if other is finding:
            continue
        if (
            other.category == "ADDRESS"
            and other.start <= finding.end + 2
            and finding.start <= other.end + 2
        ):
            return True  # part of (or right by) a postal address
        if other.start < right and other.end > left:
            return True  # in the same sentence as a direct identifier or a private name
    rest = _after_world_opening(text, left, right, finding)
    return rest is None or bool(_PERSONAL_CUE.search(rest) or _PRIVATE_CUE.search(rest))


def keep_personal(text: str, findings: list[Finding], identifiers: list[Finding]) -> list[Finding]:
    """The findings that are personal data in ``text`` (``context: personal``).

    ``identifiers`` are direct identifiers and names found in the same text, whether or not
    the rule reports them, so that a place beside an email address still counts.
    """
    reported = {(f.start, f.end, f.category) for f in findings}
    pool = [*findings, *(i for i in identifiers if (i.start, i.end, i.category) not in reported)]
    names = [f for f in pool if f.category == "PERSON"]
    private = [n for n in names if not public_name(text, n, pool)]
    kept = []
    for finding in findings:
        if finding.category == "PERSON":
            if finding in private:
                kept.append(finding)
        elif finding.category in CONTEXTUAL:
            if describes_person(text, finding, pool, private):
                kept.append(finding)
        else:
            kept.append(finding)
    return kept
