"""The texts the audit log keeps: personal data and secrets replaced, the rest highlighted.

Findings of personal-data and secret detectors (and of any redact or pseudonymize rule)
are replaced by placeholders, so a card number, for one, is never stored; pseudonymized
values keep the placeholder the model saw. Other findings (an injection attempt, a banned
topic) stay readable for the reviewer who must judge them. Every finding becomes a
highlight: a span in the stored text, with its rule and category.
"""

from __future__ import annotations

from typing import Any

from guard.policy.actions import Pseudonyms
from guard.policy.base import Fired, StageOutcome

SENSITIVE_DETECTORS = {"pii", "secrets"}


def is_sensitive(fired: Fired) -> bool:
    """Findings the audit log must not keep in clear: personal data, secrets, redactions."""
    return fired.finding.detector in SENSITIVE_DETECTORS or fired.action in (
        "redact",
        "pseudonymize",
    )


def audit_view(
    texts: list[str], outcome: StageOutcome, pseudonyms: Pseudonyms | None = None
) -> tuple[list[str], list[list[dict[str, Any]]]]:
    """Per text: the stored form, and highlights as offsets into that stored form."""
    stored: list[str] = []
    highlights: list[list[dict[str, Any]]] = []
    for index, text in enumerate(texts):
        fired = sorted(
            (f for f in outcome.fired if f.message_index == index),
            key=lambda f: (f.finding.start, -f.finding.end),
        )
        groups: list[list[Fired]] = []
        for item in fired:
            if groups and item.finding.start < max(g.finding.end for g in groups[-1]):
                groups[-1].append(item)
            else:
                groups.append([item])
        out: list[str] = []
        marks: list[dict[str, Any]] = []
        cursor = 0
        for group in groups:
            start = group[0].finding.start
            end = max(g.finding.end for g in group)
            out.append(text[cursor:start])
            position = sum(len(piece) for piece in out)
            sensitive = [g for g in group if is_sensitive(g)]
            if sensitive:
                top = max(sensitive, key=lambda g: g.finding.score)
                token = f"<{top.finding.category}>"
                if top.action == "pseudonymize" and pseudonyms is not None:
                    token = pseudonyms.placeholder(top.finding.category, text[start:end])
            else:
                token = text[start:end]
            out.append(token)
            marks.append(
                {
                    "start": position,
                    "end": position + len(token),
                    "rules": sorted({g.rule_id for g in group}),
                    "categories": sorted({g.finding.category for g in group}),
                    "replaced": bool(sensitive),
                }
            )
            cursor = end
        out.append(text[cursor:])
        stored.append("".join(out))
        highlights.append(marks)
    return stored, highlights
