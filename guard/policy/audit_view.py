"""The texts the audit log keeps: personal data and secrets replaced, the rest highlighted.

Findings of detectors that declare themselves ``sensitive`` (personal data, secrets) and
of any redact or pseudonymize rule are replaced by placeholders, so a card number, for one,
is never stored; pseudonymized values keep the placeholder the model saw. Other findings
(an injection attempt, a banned topic) stay readable for the reviewer who must judge them,
every character of them that is not itself personal data. Every finding becomes a
highlight: a span in the stored text, with its rule and category. A text that a detector
of personal data could not read is withheld, never stored readable.
"""

from __future__ import annotations

import itertools
from typing import Any

from guard.policy.actions import Pseudonyms
from guard.policy.base import Fired, StageOutcome


def is_sensitive(fired: Fired) -> bool:
    """Findings the audit log must not keep in clear: personal data, secrets, redactions."""
    if fired.sensitive:
        return True
    return fired.action in ("redact", "pseudonymize") and not fired.withheld


def withheld(text: str) -> str:
    """What the audit log keeps of a text that a detector failed on: its length, no content."""
    return f"[withheld: {len(text)} characters that a detector could not read]"


def unreadable(outcome: StageOutcome) -> bool:
    """A detector of personal data or secrets failed: the stage's texts were not all read."""
    return any(f.sensitive for f in outcome.failures)


def audit_view(
    texts: list[str], outcome: StageOutcome, pseudonyms: Pseudonyms | None = None
) -> tuple[list[str], list[list[dict[str, Any]]]]:
    """Per text: the stored form, and highlights as offsets into that stored form.

    Only the characters of sensitive findings are replaced (overlapping ones merged into
    one placeholder); every other character stays readable, even inside a wider finding
    such as an injection attempt that spans the whole prompt. Highlights partition the
    stored text: each names every rule whose finding covers it.
    """
    if unreadable(outcome):
        return [withheld(text) for text in texts], [[] for _ in texts]
    stored: list[str] = []
    highlights: list[list[dict[str, Any]]] = []
    for index, text in enumerate(texts):
        fired = [f for f in outcome.fired if f.message_index == index]
        out, spans = _replace_sensitive(text, [f for f in fired if is_sensitive(f)], pseudonyms)
        covers: list[tuple[int, int, Fired, bool]] = [
            (new_start, new_end, f, True)
            for (_, _, new_start, new_end, group) in spans
            for f in group
        ]
        for f in fired:
            if not is_sensitive(f):
                start = _moved(f.finding.start, spans, end=False)
                end = _moved(f.finding.end, spans, end=True)
                if end > start:
                    covers.append((start, end, f, False))
        stored.append(out)
        highlights.append(_partition(covers))
    return stored, highlights


_Span = tuple[int, int, int, int, list[Fired]]  # original start, end; stored start, end; findings


def _replace_sensitive(
    text: str, sensitive: list[Fired], pseudonyms: Pseudonyms | None
) -> tuple[str, list[_Span]]:
    groups: list[list[Fired]] = []
    for item in sorted(sensitive, key=lambda f: (f.finding.start, -f.finding.end)):
        if groups and item.finding.start < max(g.finding.end for g in groups[-1]):
            groups[-1].append(item)
        else:
            groups.append([item])
    out: list[str] = []
    spans: list[_Span] = []
    cursor = position = 0
    for group in groups:
        start = group[0].finding.start
        end = max(g.finding.end for g in group)
        out.append(text[cursor:start])
        position += start - cursor
        top = max(group, key=lambda g: g.finding.score)
        token = f"<{top.finding.category}>"
        if top.action == "pseudonymize" and pseudonyms is not None:
            token = pseudonyms.placeholder(top.finding.category, text[start:end])
        out.append(token)
        spans.append((start, end, position, position + len(token), group))
        position += len(token)
        cursor = end
    out.append(text[cursor:])
    return "".join(out), spans


def _moved(offset: int, spans: list[_Span], *, end: bool) -> int:
    """An offset into the text as sent, as an offset into the stored text."""
    shift = 0
    for start, stop, new_start, new_stop, _ in spans:
        if offset >= stop:
            shift += (new_stop - new_start) - (stop - start)
        elif offset > start:
            return new_stop if end else new_start  # inside a placeholder: cover all of it
        else:
            break
    return offset + shift


def _partition(covers: list[tuple[int, int, Fired, bool]]) -> list[dict[str, Any]]:
    """Non-overlapping highlights: each stretch of stored text with every finding over it."""
    points = sorted({p for start, end, _, _ in covers for p in (start, end)})
    marks: list[dict[str, Any]] = []
    for left, right in itertools.pairwise(points):
        over = [
            (f, replaced) for start, end, f, replaced in covers if start <= left and right <= end
        ]
        if not over:
            continue
        mark = {
            "start": left,
            "end": right,
            "rules": sorted({f.rule_id for f, _ in over}),
            "categories": sorted({f.finding.category for f, _ in over}),
            "replaced": any(replaced for _, replaced in over),
        }
        last = marks[-1] if marks else None
        if (
            last
            and last["end"] == left
            and all(last[k] == mark[k] for k in ("rules", "categories", "replaced"))
        ):
            last["end"] = right
        else:
            marks.append(mark)
    return marks
