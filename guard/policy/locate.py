"""Where a finding is, in words an application developer and a reviewer can act on.

A request's texts are its messages' contents and its tool calls' arguments, flattened
(``GenerationRequest.texts``); an answer's are its choices' texts and their calls'
arguments. A finding's ``message_index`` counts those texts. ``place`` names each one
("message 2 (tool result of call c9)", "tool call send_email (call_1) in the answer"),
and for a call's JSON arguments ``argument_at`` names the argument the finding is in
(``to``, ``recipients[0]``, ``address.street``), so an explanation says which message
and which argument a rule fired on, never what the text was. Names, ids and keys are
identifiers; one that is not (a key that is an e-mail address) is shown as ``<?>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from guard.generators.base import Completion, GenerationRequest, ToolCall
from guard.policy.base import StageOutcome

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


def safe(name: str | None) -> str:
    """An identifier as it is; anything else (which could be personal data) as ``<?>``."""
    return name if name is not None and _IDENTIFIER.fullmatch(name) else "<?>"


@dataclass(frozen=True)
class Place:
    """One text of a request or answer: its name, and whether it is a call's arguments."""

    name: str
    arguments: bool = False


def request_places(request: GenerationRequest) -> list[Place]:
    """The places of ``request.texts()``, in the same order."""
    if request.messages is None:
        return [Place("the prompt")]
    places: list[Place] = []
    for index, message in enumerate(request.messages):
        if message.role == "tool":
            call_id = safe(message.tool_call_id)
            places.append(Place(f"message {index} (tool result of call {call_id})"))
        else:
            places.append(Place(f"message {index} ({message.role})"))
        for call in message.tool_calls:
            name = f"message {index}, tool call {safe(call.name)} ({safe(call.id)})"
            places.append(Place(name, arguments=True))
    return places


def answer_name(choice: int, choices: int) -> str:
    return f"choice {choice} of the answer" if choices > 1 else "the answer"


def call_name(call: ToolCall, choice: int, choices: int) -> str:
    return f"tool call {safe(call.name)} ({safe(call.id)}) in {answer_name(choice, choices)}"


def answer_places(completion: Completion) -> list[Place]:
    """The places of an answer's texts: each choice's, then each call's arguments."""
    count = len(completion.choices)
    places = [Place(answer_name(c.index, count)) for c in completion.choices]
    for choice in completion.choices:
        for call in choice.tool_calls:
            places.append(Place(call_name(call, choice.index, count), arguments=True))
    return places


def roles_places(roles: Sequence[str] | None, count: int) -> list[Place]:
    """Places for scanned texts: messages with roles, or plain texts."""
    if roles is None:
        return [Place("the text" if count == 1 else f"text {i}") for i in range(count)]
    return [Place(f"message {i} ({role})") for i, role in enumerate(roles)]


def locate(outcome: StageOutcome, places: Sequence[Place], texts: Sequence[str]) -> None:
    """Name the place of every finding in ``outcome`` (``Fired.where``)."""
    located = []
    for fired in outcome.fired:
        if fired.where is not None or fired.message_index >= len(places):
            located.append(fired)
            continue
        place = places[fired.message_index]
        where = describe(place, texts[fired.message_index], fired.finding.start)
        located.append(replace(fired, where=where))
    outcome.fired = located


def describe(place: Place, text: str, offset: int) -> str:
    """The place's name, and for a call's arguments the argument at ``offset``."""
    path = argument_at(text, offset) if place.arguments else None
    return f"{place.name}, argument {path}" if path else place.name


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def argument_at(arguments: str, offset: int) -> str | None:
    """The JSON path (``to``, ``items[2].name``) of the value or key at ``offset`` in a
    call's arguments; None when the arguments are not a JSON object or nothing is there."""
    stack: list[list[str | int | None]] = []  # per container: [kind, key or index]
    expecting_key = False
    tokens = list(_TOKEN.finditer(arguments))
    for position, token in enumerate(tokens):
        text = token.group()
        following = tokens[position + 1].group() if position + 1 < len(tokens) else ""
        if text in "{[":
            stack.append(["object" if text == "{" else "array", None if text == "{" else 0])
            expecting_key = text == "{"
        elif text in "}]":
            if stack:
                stack.pop()
        elif text == ",":
            if stack and stack[-1][0] == "array":
                index = stack[-1][1]
                stack[-1][1] = int(index) + 1 if isinstance(index, int) else 0
            expecting_key = bool(stack) and stack[-1][0] == "object"
        elif text == ":":
            expecting_key = False
        else:
            if expecting_key and following == ":" and stack:
                stack[-1][1] = safe(text[1:-1] if text.startswith('"') else text)
            if token.start() <= offset < token.end():
                return _path(stack)
    return None


def _path(stack: list[list[str | int | None]]) -> str | None:
    parts: list[str] = []
    for kind, key in stack:
        if kind == "array":
            parts.append(f"[{key}]")
        elif key is not None:
            parts.append(f".{key}" if parts else str(key))
    return "".join(parts) or None
