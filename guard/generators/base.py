"""The Generator protocol and the values that cross it.

A generator turns one ``GenerationRequest`` (chat messages or a plain prompt, plus sampling
parameters) into text. It has three verbs: ``complete`` returns the whole answer,
``stream`` returns an async iterator of ``Delta`` events ending with one ``Usage``, and
``aclose`` releases what it holds. ``stream`` is awaited first so that every check on the
request (context length, an upstream's status code) happens before a response starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from guard.config import Settings

FinishReason = Literal["stop", "length", "content_filter", "tool_calls"]


@dataclass(frozen=True)
class ToolCall:
    """A function the model asks the application to call: its name and JSON arguments."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ChatMessage:
    """One chat turn with its text already flattened from content parts; an assistant turn
    may carry the tool calls it made, a ``tool`` turn the result of one (``tool_call_id``)."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class SamplingParams:
    """How to pick tokens. ``temperature == 0`` means greedy; ``num_beams > 1`` beam search.

    ``None`` means "not given by the caller": the generator applies its model's default.
    """

    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int = 0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    n: int = 1
    num_beams: int = 1
    min_tokens: int = 0
    repetition_penalty: float = 1.0

    def with_defaults(self, defaults: dict[str, float]) -> SamplingParams:
        """Fill the parameters the caller left out from ``defaults``, else OpenAI's (1.0)."""
        return replace(
            self,
            temperature=self.temperature
            if self.temperature is not None
            else defaults.get("temperature", 1.0),
            top_p=self.top_p if self.top_p is not None else defaults.get("top_p", 1.0),
        )


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate: exactly one of ``messages`` (chat) or ``prompt`` (completion)."""

    model: str
    params: SamplingParams = field(default_factory=SamplingParams)
    messages: tuple[ChatMessage, ...] | None = None
    prompt: str | None = None
    # OpenAI's function tools, passed as the caller sent them (only upstreams call tools)
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    # OpenAI's response_format (``json_object``, ``json_schema``), passed as the caller sent it
    response_format: dict[str, Any] | None = None
    # the OpenAI endpoint it came in on, when not what its shape says (``responses``)
    api: Literal["chat", "completions", "responses"] | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint whose rules apply: ``chat``, ``completions`` or ``responses``."""
        return self.api or ("chat" if self.messages is not None else "completions")

    @property
    def wants_json(self) -> bool:
        return (self.response_format or {}).get("type") in ("json_object", "json_schema")

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("a GenerationRequest has either messages or a prompt")

    def texts(self) -> tuple[list[str], list[str] | None]:
        """Every text the request holds, with its role (None for a plain prompt): each
        message's content, then the arguments of each tool call it made."""
        if self.messages is None:
            return [self.prompt or ""], None
        texts: list[str] = []
        roles: list[str] = []
        for m in self.messages:
            texts.append(m.content)
            roles.append(m.role)
            for call in m.tool_calls:
                texts.append(call.arguments)
                roles.append(m.role)
        return texts, roles

    def with_texts(self, texts: Sequence[str]) -> GenerationRequest:
        """The request with its texts (in the order of ``texts()``) replaced."""
        if self.messages is None:
            return replace(self, prompt=texts[0])
        given = iter(texts)
        messages = []
        for m in self.messages:
            content = next(given)
            calls = tuple(replace(call, arguments=next(given)) for call in m.tool_calls)
            messages.append(replace(m, content=content, tool_calls=calls))
        return replace(self, messages=tuple(messages))


@dataclass(frozen=True)
class Usage:
    """Token counts for one request; also the last event of every stream."""

    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Delta:
    """A piece of choice ``index``'s text; ``finish_reason`` is set on its last piece, which
    also carries the choice's tool calls, whole (a call is guarded before it is sent)."""

    index: int
    text: str
    finish_reason: FinishReason | None = None
    tool_calls: tuple[ToolCall, ...] = ()


StreamEvent = Delta | Usage


@dataclass(frozen=True)
class Choice:
    index: int
    text: str
    finish_reason: FinishReason
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True)
class Completion:
    """A finished answer: one choice per ``n``, and the usage."""

    choices: tuple[Choice, ...]
    usage: Usage


@dataclass(frozen=True)
class EmbeddingRequest:
    """Texts to embed (``POST /v1/embeddings``), already guarded."""

    model: str
    inputs: tuple[str, ...]
    dimensions: int | None = None


@dataclass(frozen=True)
class Embeddings:
    """One vector per input, in order, and the tokens the inputs took."""

    vectors: tuple[tuple[float, ...], ...]
    prompt_tokens: int


@runtime_checkable
class Embedder(Protocol):
    """A generator that also embeds text; generators that do not are refused by name."""

    async def embed(self, request: EmbeddingRequest) -> Embeddings:
        """One vector per input; ``ModelNotFoundError`` for a model it does not embed with."""


@dataclass(frozen=True)
class ModelInfo:
    """A model a generator serves, as listed by ``GET /v1/models``."""

    id: str
    owned_by: str = "guard"


@runtime_checkable
class Generator(Protocol):
    """Turns requests into text. Implementations register by name in ``guard.generators``
    and are built from the settings by ``from_settings``."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Generator:
        """Build from guard's settings; raise ``ConfigurationError`` for settings that cannot
        run on this machine (so ``guard serve`` exits 2 with the reason)."""

    def queue_depth(self) -> int:
        """Requests waiting to be generated (0 where nothing queues), for the metrics."""

    async def start(self) -> None:
        """Load models or open connections; raise ``ConfigurationError`` if it cannot run."""

    async def models(self) -> Sequence[ModelInfo]:
        """The models this generator serves."""

    async def complete(self, request: GenerationRequest) -> Completion:
        """Generate the whole answer."""

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        """Check the request, then return an iterator of deltas ending with one ``Usage``."""

    async def aclose(self) -> None:
        """Stop work in flight and release resources."""


async def collect(events: AsyncIterator[StreamEvent], n: int) -> Completion:
    """Assemble a stream of events into a ``Completion`` with ``n`` choices."""
    texts: list[list[str]] = [[] for _ in range(n)]
    reasons: list[FinishReason] = ["length"] * n
    calls: list[tuple[ToolCall, ...]] = [() for _ in range(n)]
    usage = Usage(0, 0)
    async for event in events:
        if isinstance(event, Usage):
            usage = event
            continue
        texts[event.index].append(event.text)
        calls[event.index] += event.tool_calls
        if event.finish_reason is not None:
            reasons[event.index] = event.finish_reason
    choices = tuple(
        Choice(i, "".join(parts), reasons[i], calls[i]) for i, parts in enumerate(texts)
    )
    return Completion(choices=choices, usage=usage)


async def close_events(events: AsyncIterator[StreamEvent]) -> None:
    """Close a stream early so its generator's cleanup (cancelling work) runs now."""
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


def refuse_tools(
    request: GenerationRequest, generator: str, *, calls_tools: bool = False, why: str = ""
) -> None:
    """For generators that do not call tools (or, with ``calls_tools``, do but cannot
    constrain answers to JSON): a clear 400 naming the parameter; ``why`` says why not."""
    from guard.errors import InvalidRequestError

    if request.tools and not calls_tools:
        raise InvalidRequestError(
            f"the {generator} generator does not call tools{why}; serve this app through an "
            "upstream that does (GUARD_GENERATOR=upstream: vLLM, TGI, Ollama)",
            param="tools",
        )
    if request.wants_json:
        raise InvalidRequestError(
            f"the {generator} generator does not constrain answers to JSON; serve this app "
            "through an upstream that does",
            param="response_format",
        )
    if not calls_tools and any(m.role == "tool" or m.tool_calls for m in request.messages or ()):
        raise InvalidRequestError(
            f"the {generator} generator does not take tool calls or tool results in messages{why}",
            param="messages",
        )
