"""Organisations by their legal form: ``Smith Ltd.``, ``frost llc``, ``Acme GmbH`` (the
legal form and up to five name words before it)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from guard.detectors.pii.recognizer import FUNCTION_WORDS, GuardRecognizer, Match

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
            if token.lower() in FUNCTION_WORDS or not (token[0].isupper() or lower):
                break
            start = word.start(1)
            words += 1
        if words:
            found.append(Match("ORGANIZATION", start, form.end(), 0.7, "legal form"))
    return found


class GuardOrganizationRecognizer(GuardRecognizer):
    ENTITIES = ("ORGANIZATION",)

    def find(self, text: str, entities: Sequence[str]) -> list[Match]:
        return find_organizations(text)
