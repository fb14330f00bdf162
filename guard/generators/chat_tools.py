"""Tools for a model served in-process: through its own chat template, or refused by name.

A chat template that renders ``tools`` (Qwen, Hermes, Llama 3.1 and others read the
``tools`` variable) is given the request's tool specs, earlier calls and tool results, and
the model answers a call as a ``<tool_call>{"name": …, "arguments": …}</tool_call>`` block,
which becomes a ``ToolCall``. A model whose template has no tools (the bundled SmolLM2) is
refused with a 400 naming ``tools``: guard never makes up a tool protocol a model was not
trained on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from guard.generators.base import ChatMessage, GenerationRequest, ToolCall, refuse_tools

_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)


def template_takes_tools(template: str | None) -> bool:
    """Whether a chat template renders the ``tools`` it is given."""
    return bool(template) and re.search(r"\btools\b", template or "") is not None


def refuse_unless_template_tools(request: GenerationRequest, template: str | None) -> None:
    """A 400 naming the parameter when the request uses tools the template cannot render
    (or asks for JSON, which the local generator does not constrain answers to)."""
    refuse_tools(
        request,
        "local",
        calls_tools=template_takes_tools(template),
        why=": the model's chat template has no tools",
    )


def template_messages(messages: tuple[ChatMessage, ...]) -> list[dict[str, Any]]:
    """Messages as chat templates read them, calls and results included."""
    rendered: list[dict[str, Any]] = []
    for m in messages:
        item: dict[str, Any] = {"role": m.role, "content": m.content}
        if m.tool_calls:
            item["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": _arguments(c.arguments)},
                }
                for c in m.tool_calls
            ]
        if m.tool_call_id:
            item["tool_call_id"] = m.tool_call_id
        rendered.append(item)
    return rendered


def _arguments(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def split_calls(text: str, call_prefix: str) -> tuple[str, tuple[ToolCall, ...]]:
    """The answer's text without its ``<tool_call>`` blocks, and the calls they hold (ids
    ``{call_prefix}_{n}``). A block that is not a JSON call stays in the text as written."""
    calls: list[ToolCall] = []

    def take(match: re.Match[str]) -> str:
        try:
            data = json.loads(match.group(1))
        except ValueError:
            return match.group()
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str):
            return match.group()
        arguments = data.get("arguments", data.get("parameters", {}))
        encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
        calls.append(ToolCall(f"{call_prefix}_{len(calls)}", name, encoded))
        return ""

    rest = _CALL.sub(take, text)
    return (rest.strip() if calls else text), tuple(calls)
