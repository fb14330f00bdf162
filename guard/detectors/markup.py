"""Markup detector: output an application can render safely (OWASP LLM05).

Three things in an answer do harm when an application renders it as it is, and each is one
``find`` of this detector (one rule each in the shipped pack):

- ``terminal``: terminal control sequences (ANSI CSI/OSC/other escape sequences, and the
  C0 and C1 control characters other than tab and newline), which rewrite what a terminal
  shows, set its title, or plant a hyperlink (OSC 8);
- ``links``: markdown images and links, HTML ``img``/``a``/``iframe`` sources and bare
  image URLs whose host the policy does not allow (``allow_hosts``, subdomains included):
  an image URL carrying data in its query string sends that data to whoever owns the host
  as soon as the answer is rendered (data exfiltration);
- ``script``: script in HTML (``<script>``, ``<iframe>``, ``<object>``, ``<embed>``,
  ``on…=`` event handlers, ``javascript:``/``vbscript:``/``data:text/html`` URLs).

Evidence names what was found (and the host), never the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field

from guard.detectors.base import DetectorConfig, DetectorContext, Finding
from guard.detectors.leads import earliest, lead

_TERMINAL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks (to BEL or ST)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI as a C1 character
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # any other control character (not tab, newline)
)
_URL = r"[^\s)<>\"']+"
_LINKS = re.compile(
    rf"!?\[[^\]\n]{{0,500}}\]\(\s*<?({_URL})>?(?:\s+\"[^\"]*\")?\s*\)"  # markdown
    rf"|<(?:img|a|iframe|source|video|audio|link)\b[^>]*?\b(?:src|href|srcset)\s*=\s*"
    rf"[\"']?({_URL})[^>]*>?"  # HTML, to the end of the tag
    rf"|^\s*\[[^\]\n]+\]:\s*({_URL})",  # markdown reference definitions
    re.IGNORECASE | re.MULTILINE,
)
_SCRIPT = re.compile(
    r"<script\b[^>]*>.*?(?:</script\s*>|$)"  # a script element (to its end, or the text's)
    r"|<(?:iframe|object|embed|frame|frameset|applet|base|meta\s+http-equiv)\b[^>]*>?"
    r"|\bon[a-z]{3,20}\s*=\s*(?:\"[^\"]*\"?|'[^']*'?|[^\s>]+)"  # event handler attributes
    r"|[=(\"'`]\s*(?:javascript|vbscript|livescript)\s*:"  # in an attribute or a link
    r"|\b(?:javascript|vbscript|livescript):(?=\S)"  # a URL (prose puts a space after)
    r"|\bdata\s*:\s*text/html",
    re.IGNORECASE | re.DOTALL,
)


LinkKind = Literal["images", "links"]
LINK_KINDS: tuple[LinkKind, ...] = ("images", "links")


class MarkupConfig(DetectorConfig):
    type: Literal["markup"] = "markup"
    find: Literal["terminal", "links", "script"]
    # for ``links``: hosts whose images and links may be rendered (subdomains included)
    allow_hosts: list[str] = Field(default_factory=list)
    # for ``links``: which ones count: images (fetched as soon as rendered), links, or both
    kinds: list[LinkKind] = Field(default_factory=lambda: list(LINK_KINDS), min_length=1)
    # for ``links``: only links whose URL carries a query string or fragment (data)
    only_with_data: bool = False
    category: str | None = None


def _allowed(host: str, allowed: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in allowed)


class MarkupDetector:
    """Finds terminal control sequences, links to hosts not allowed, or script in HTML."""

    type_name: ClassVar[str] = "markup"
    sensitive: ClassVar[bool] = False
    Config: ClassVar[type[DetectorConfig]] = MarkupConfig

    def __init__(self, config: MarkupConfig):
        self.config = config
        self._allowed = [h.lower().strip(".") for h in config.allow_hosts]
        self._category = (
            config.category
            or {
                "terminal": "TERMINAL_CONTROL",
                "links": "EXTERNAL_LINK",
                "script": "SCRIPT",
            }[config.find]
        )
        self._lead = lead({"terminal": _TERMINAL, "script": _SCRIPT}.get(config.find, _LINKS))

    @classmethod
    def create(cls, config: Any, context: DetectorContext) -> MarkupDetector:
        assert isinstance(config, MarkupConfig)
        return cls(config)

    async def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        return [self._find(text) for text in texts]

    def stream_lead(self, text: str) -> int:
        """Where a sequence, a link or script may still be arriving (a prefix of one)."""
        return earliest([self._lead], text)

    def _finding(self, start: int, end: int, evidence: str) -> Finding:
        return Finding(
            detector="markup",
            category=self._category,
            start=start,
            end=end,
            score=1.0,
            threshold=0.5,
            evidence=evidence,
        )

    def _find(self, text: str) -> list[Finding]:
        if self.config.find == "terminal":
            return [
                self._finding(m.start(), m.end(), "terminal control sequence")
                for m in _TERMINAL.finditer(text)
            ]
        if self.config.find == "script":
            return [self._finding(m.start(), m.end(), "script") for m in _SCRIPT.finditer(text)]
        found = []
        for match in _LINKS.finditer(text):
            url = next(g for g in match.groups() if g is not None)
            host = _host(url)
            if host is None:  # relative links stay inside the application
                continue
            if _allowed(host, self._allowed):
                continue
            # a reference definition may serve an image: counted as one
            image = match.group(3) is not None or match.group().lower().startswith(
                ("!", "<img", "<source", "<video", "<audio")
            )
            if ("images" if image else "links") not in self.config.kinds:
                continue
            if not image and self.config.only_with_data and not re.search(r"[?#].", url):
                continue
            kind = "image" if image else "link"
            found.append(self._finding(match.start(), match.end(), f"{kind} to {host}"))
        return found


def _host(url: str) -> str | None:
    """The host a URL points at; None when it fetches from no host (relative, mailto:,
    tel:, data:). ``//host`` counts as absolute."""
    candidate = url.strip()
    if candidate.startswith("//"):
        candidate = "https:" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return "unparsable"
    if parts.scheme.lower() in ("http", "https", "ftp", "ws", "wss"):
        return parts.hostname or "unparsable"
    # mailto:, tel:, data: images fetch nothing; javascript: is the script rule's
    return None
