"""Guarding a token stream with a hold-back window.

Generated text is buffered per choice and released only after the output rules have
scanned it. What is held is the tail that more text could still turn into a finding (a
card number or an email address still arriving): each output rule's detector says where
that tail begins (its ``stream_lead``: for patterns, the earliest place a prefix of a match
begins), and a detector that cannot say holds the last ``holdback_chars`` characters, the
most any rule holds. So an answer with nothing to hold back is released as it is scanned,
word by word; the first scans come at every piece until something is released, then every
``scan_chars`` characters (from the start, where a rule cannot say). Also held: any
finding that touches the end of the buffer or straddles the release point, and any
placeholder still arriving (in any of the forms small models write it), so it is restored
whole. Each scan covers the unreleased text plus ``holdback_chars`` of already released
context, so every character is scanned by every output rule before it is released, and
the cost of a scan stays bounded however long the answer grows. A block ends every
unfinished choice with the rule's message and ``finish_reason: "content_filter"`` and
closes the generator (cancelling generation).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

from guard.generators.base import (
    Delta,
    FinishReason,
    StreamEvent,
    ToolCall,
    Usage,
    close_events,
)
from guard.policy.actions import Pseudonyms, Replacement, apply
from guard.policy.audit_view import is_sensitive, unreadable, withheld
from guard.policy.base import StageOutcome
from guard.policy.evaluate import Evaluation, strongest
from guard.policy.locate import Place, answer_name, call_name, describe

# Text before the part a scan may release that a detector's lead reads (a lookbehind, a
# word or two of context): its lead is asked about the tail from there.
_LEAD_CONTEXT = 16


@dataclass
class _Buffer:
    text: str = ""
    released: int = 0
    scanned: int = 0
    finish: FinishReason | None = None
    done: bool = False


class StreamGuard:
    """Wraps a stream of deltas; records the output decision into ``outcome``."""

    def __init__(
        self,
        *,
        evaluate: Callable[[list[str]], Awaitable[Evaluation]],
        pseudonyms: Pseudonyms,
        hash_key: bytes,
        outcome: StageOutcome,
        holdback_chars: int = 96,
        scan_chars: int = 48,
        choices: int = 1,
        json_answer: bool = False,
        lead: Callable[[str], int] | None = None,
    ):
        self._evaluate = evaluate
        # Where the end of a text may still be the beginning of a finding; None where a
        # rule cannot say, so the whole window is held and scanned every ``scan_chars``.
        self._lead = lead
        self._pseudonyms = pseudonyms
        self._hash_key = hash_key
        self.outcome = outcome
        self._holdback = holdback_chars
        self._scan_every = scan_chars
        self._choices = choices
        # a JSON answer (response_format): restored values are escaped as JSON strings need
        self._json = json_answer
        self._seen: set[tuple[str, int, int, int]] = set()

    async def run(self, events: AsyncIterator[StreamEvent]) -> AsyncIterator[StreamEvent]:
        buffers: dict[int, _Buffer] = {}
        usage: Usage | None = None
        try:
            async for event in events:
                if isinstance(event, Usage):
                    usage = event
                    continue
                buffer = buffers.setdefault(event.index, _Buffer())
                buffer.text += event.text
                buffer.finish = event.finish_reason or buffer.finish
                final = buffer.finish is not None
                unscanned = len(buffer.text) - buffer.scanned
                early = self._lead is not None and not buffer.released  # first words out
                if not final and not early and unscanned < self._scan_every:
                    continue
                piece, blocked = await self._scan(event.index, buffer, final=final)
                calls = event.tool_calls
                if calls and not blocked:
                    calls, blocked = await self._guard_calls(event.index, calls)
                if blocked:  # every unfinished choice ends, those not begun yet too
                    for index in range(max(self._choices, max(buffers) + 1)):
                        other = buffers.get(index)
                        if other is not None and other.done:
                            continue
                        if other is not None and index != event.index:
                            await self._withhold(index, other)
                        yield Delta(index, self.outcome.message or "", "content_filter")
                    return
                if final:
                    buffer.done = True
                    yield Delta(event.index, piece, buffer.finish, calls)
                elif piece:
                    yield Delta(event.index, piece)
            for index, buffer in sorted(buffers.items()):
                if not buffer.done:  # a stream that ended without a finish reason
                    piece, blocked = await self._scan(index, buffer, final=True)
                    if blocked:
                        yield Delta(index, self.outcome.message or "", "content_filter")
                    else:
                        yield Delta(index, piece, "stop")
            if usage is not None:
                yield usage
        finally:
            await close_events(events)

    async def _guard_calls(
        self, choice: int, calls: tuple[ToolCall, ...]
    ) -> tuple[tuple[ToolCall, ...], bool]:
        """A finished choice's tool calls, whole: each call's arguments scanned by the output
        rules (stored after the choices' texts), redacted, placeholders restored; True when
        one of them blocks."""
        started = time.perf_counter()
        guarded = []
        blocked = False
        for call in calls:
            index = max(self._choices, len(self.outcome.redacted))
            evaluation = await self._evaluate([call.arguments])
            blocked = self._record(index, evaluation, 0, 0, call=(choice, call)) or blocked
            spans = evaluation.replacements[0]
            self._audit(
                index, self._stored(call.arguments, 0, len(call.arguments), spans, evaluation, 0)
            )
            restored = self._pseudonyms.restore(
                apply(call.arguments, spans, hash_key=self._hash_key), json_escaped=True
            )
            guarded.append(replace(call, arguments=restored))
        self.outcome.elapsed_s += time.perf_counter() - started
        return tuple(guarded), blocked

    async def _scan(self, index: int, buffer: _Buffer, *, final: bool) -> tuple[str, bool]:
        started = time.perf_counter()
        text = buffer.text
        evaluation, offset, spans = await self._evaluate_unreleased(buffer)
        blocked = self._record(index, evaluation, offset, buffer.released)
        buffer.scanned = len(text)
        self.outcome.elapsed_s += time.perf_counter() - started
        if blocked:
            # The reviewer reads what was withheld, as the audit log keeps any text.
            self._audit(
                index, self._stored(text, buffer.released, len(text), spans, evaluation, offset)
            )
            return "", True
        cut = len(text)
        if not final:
            # Released up to what may still become a finding; never more than the window held.
            floor = max(buffer.released, len(text) - self._holdback)
            cut = floor
            if self._lead is not None:
                start = max(offset, floor - _LEAD_CONTEXT)
                cut = max(floor, start + self._lead(text[start:]))
            for fired in evaluation.outcome.fired:
                if fired.finding.end + offset >= len(text):  # may still be growing
                    cut = min(cut, fired.finding.start + offset)
        for span in spans:
            if span.start < cut < span.end:
                cut = span.start
        if not final:
            cut = self._pseudonyms.held_cut(text, buffer.released, cut)
        cut = max(cut, buffer.released)
        piece_spans = [
            Replacement(
                max(s.start, buffer.released) - buffer.released,
                s.end - buffer.released,
                s.category,
                s.style,
                s.score,
            )
            for s in spans
            if s.end > buffer.released and s.start < cut
        ]
        piece = apply(text[buffer.released : cut], piece_spans, hash_key=self._hash_key)
        self._audit(index, self._stored(text, buffer.released, cut, spans, evaluation, offset))
        buffer.released = cut
        return self._pseudonyms.restore(piece, json_escaped=self._json), False

    async def _evaluate_unreleased(
        self, buffer: _Buffer
    ) -> tuple[Evaluation, int, list[Replacement]]:
        """The output rules over the unreleased text plus ``holdback_chars`` of context: the
        evaluation, where it starts, and its rewrite spans as offsets into the buffer."""
        offset = max(0, buffer.released - self._holdback)
        evaluation = await self._evaluate([buffer.text[offset:]])
        spans = [
            replace(r, start=r.start + offset, end=r.end + offset)
            for r in evaluation.replacements[0]
        ]
        return evaluation, offset, spans

    async def _withhold(self, index: int, buffer: _Buffer) -> None:
        """Scan and keep (for the audit log) another choice's text that a block withholds."""
        text = buffer.text
        evaluation, offset, spans = await self._evaluate_unreleased(buffer)
        self._record(index, evaluation, offset, buffer.released)
        self._audit(
            index, self._stored(text, buffer.released, len(text), spans, evaluation, offset)
        )
        buffer.released = len(text)

    def _stored(
        self,
        text: str,
        start: int,
        end: int,
        spans: list[Replacement],
        evaluation: Evaluation,
        offset: int,
    ) -> str:
        """``text[start:end]`` as the audit log keeps it: redactions and personal data replaced."""
        if unreadable(evaluation.outcome):
            return withheld(text[start:end])  # a text a detector could not read is not kept
        stored = [
            Replacement(
                max(s.start, start) - start, min(s.end, end) - start, s.category, s.style, s.score
            )
            for s in spans
            if s.end > start and s.start < end
        ]
        stored += [
            Replacement(
                max(f.finding.start + offset, start) - start,
                min(f.finding.end + offset, end) - start,
                f.finding.category,
                "placeholder",
                f.finding.score,
            )
            for f in evaluation.outcome.fired
            if is_sensitive(f) and f.finding.end + offset > start and f.finding.start + offset < end
        ]
        return apply(text[start:end], stored, hash_key=self._hash_key)

    def _audit(self, index: int, piece: str) -> None:
        """Keep the released text as the model wrote it (placeholders not restored)."""
        redacted = self.outcome.redacted
        while len(redacted) <= index:
            redacted.append("")
        redacted[index] += piece

    def _record(
        self,
        index: int,
        evaluation: Evaluation,
        offset: int,
        released: int,
        call: tuple[int, ToolCall] | None = None,
    ) -> bool:
        """Fold a scan's findings into the stage outcome, each named by where it is (choice
        ``index``'s text, or a choice's ``call``); True when it blocks."""
        scan = evaluation.outcome
        outcome = self.outcome
        outcome.policy, outcome.policy_version = scan.policy, scan.policy_version
        outcome.policy_chain = scan.policy_chain
        outcome.failures += [f for f in scan.failures if f not in outcome.failures]
        new_block = False
        for fired in scan.fired:
            start, end = fired.finding.start + offset, fired.finding.end + offset
            key = (fired.rule_id, index, start, end)
            if key in self._seen:
                continue
            self._seen.add(key)
            finding = replace(fired.finding, start=start, end=end)
            if call is None:
                where = answer_name(index, self._choices)
            else:
                choice, tool_call = call
                place = Place(call_name(tool_call, choice, self._choices), arguments=True)
                where = describe(place, tool_call.arguments, start)
            outcome.fired.append(replace(fired, finding=finding, message_index=index, where=where))
            if fired.mode == "enforce" and fired.action == "block" and end > released:
                new_block = True
                outcome.message = fired.message
        failed_closed = any(f.fail_mode == "block" for f in scan.failures)
        actions = [f.action for f in outcome.fired if f.mode == "enforce"]
        if failed_closed:
            actions.append("block")
            outcome.message = outcome.message or scan.message
        outcome.action = strongest(actions)
        outcome.rules = tuple(
            dict.fromkeys(f.rule_id for f in outcome.fired if f.mode == "enforce")
        )
        return new_block or failed_closed
