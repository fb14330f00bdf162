"""Incremental release of generated text with stop strings.

Text is released as it grows, except a tail that could still turn out to be the start of
a stop string (or half of a multi-byte character); once a stop string appears, the text
before it is released and generation of that choice ends. Where stop strings overlap, the
one that is complete first wins, however the text arrived.
"""

from __future__ import annotations

_INCOMPLETE = "\ufffd"


class StopStringBuffer:
    """Tracks how much of a growing text was released, holding back possible stop prefixes."""

    def __init__(self, stops: tuple[str, ...] = ()):
        self._stops = tuple(s for s in stops if s)
        self._longest = max((len(s) for s in self._stops), default=0)
        self.released = 0
        self.stopped = False

    def feed(self, text: str) -> str:
        """Given the whole text so far, return the part newly safe to release."""
        if self.stopped:
            return ""
        end = len(text.rstrip(_INCOMPLETE))
        # The stop string that is complete first ends generation, as it would token by
        # token (a longer one starting earlier never completes); the text before it goes.
        hits = [
            (pos + len(s), pos) for s in self._stops if (pos := text.find(s, self.released)) != -1
        ]
        if hits:
            cut = min(hits)[1]
            self.stopped = True
            return self._release(text, cut)
        hold_from = end
        for start in range(max(self.released, end - self._longest + 1), end):
            tail = text[start:end]
            if any(s.startswith(tail) for s in self._stops):
                hold_from = start
                break
        return self._release(text, hold_from)

    def flush(self, text: str) -> str:
        """The generation ended: release what is left (unless a stop string ended it)."""
        if self.stopped:
            return ""
        return self._release(text, len(text))

    def _release(self, text: str, upto: int) -> str:
        if upto <= self.released:
            return ""
        piece = text[self.released : upto]
        self.released = upto
        return piece
