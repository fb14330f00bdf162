"""Personal data means data about a person: when a place, a company, a date or a name is one.

Direct identifiers (contact data, account, card and id numbers, postal addresses) identify
someone wherever they stand. Places, organisations, dates, web addresses and groups
(``CONTEXTUAL``) do only when they describe a person: part of an address, after a personal
cue ("I live in", "born on", "works at", "my website"), or in the same sentence as a direct
identifier or a private person's name. "What is the capital of France?" asks about the
world; "I moved to Lyon in March 2019" tells about someone.

Names are protected unless they stand in a question about the world ("Who was Albert
Einstein?", "Summarize the life of Marie Curie"): a knowledge question with no personal cue
("my", "dear", "email", "call", "patient", …) and no direct identifier in its sentence. A
policy that wants every such mention protected sets ``context: always``.
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
# Openings of a question about the world (with a name or place in it, no personal cue).
_WORLD_QUESTION = re.compile(
    r"(?i)^\W*(?:"
    r"who(?:'s| is| was| were| are| invented| wrote| discovered| founded| painted| won)|"
    r"what(?:'s| is| was| were| are| did| does| do)|when(?:'s| is| was| were| did| does)|"
    r"where(?:'s| is| was| were| did| does)|why(?:'s| is| was| were| did| does)|"
    r"how(?: did| does| do| was| is| many| much| old| tall| long| far)|which|"
    r"tell me (?:about|more about)|explain|describe|summari[sz]e|compare|list|name|"
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
    """A name in a question about the world, not about a person the writer deals with."""
    left, right = sentence_bounds(text, finding.start, finding.end)
    sentence = text[left:right]
    if not _WORLD_QUESTION.search(sentence):
        return False
    outside = sentence[: finding.start - left] + " " + sentence[finding.end - left :]
    if _PRIVATE_CUE.search(outside):
        return False
    return not any(o.category in DIRECT and o.start < right and o.end > left for o in others)


def describes_person(
    text: str, finding: Finding, others: Sequence[Finding], private_names: Sequence[Finding]
) -> bool:
    """A place, company, date or address on the web that tells something about someone."""
    left, right = sentence_bounds(text, finding.start, finding.end)
    for other in [*others, *private_names]:
        if other is finding or other.category not in DIRECT | {"PERSON"}:
            continue
        if (
            other.category == "ADDRESS"
            and other.start <= finding.end + 2
            and finding.start <= other.end + 2
        ):
            return True  # part of (or right by) a postal address
        if other.start < right and other.end > left:
            return True  # in the same sentence as a direct identifier or a private name
    return bool(_PERSONAL_CUE.search(text, left, finding.start)) or bool(
        _PERSONAL_CUE.search(text[finding.end : right][:40])
    )


def keep_personal(text: str, findings: list[Finding], identifiers: list[Finding]) -> list[Finding]:
    """The findings that are personal data in ``text`` (``context: personal``).

    ``identifiers`` are direct identifiers and names found in the same text, whether or not
    the rule reports them, so that a place beside an email address still counts.
    """
    pool = [
        *findings,
        *(
            i
            for i in identifiers
            if (i.start, i.end, i.category) not in {(f.start, f.end, f.category) for f in findings}
        ),
    ]
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
