"""OpenAI protocol models for requests, and their translation to ``GenerationRequest``.

Types are strict (``"5"`` is not a number), so a wrong type is a 400 that names the field.
Unknown fields are ignored, as OpenAI-compatible servers commonly do; fields that ask for
something guard does not do (tools, logprobs, images) are refused by name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from guard.errors import InvalidRequestError
from guard.generators.base import (
    ChatMessage,
    EmbeddingRequest,
    GenerationRequest,
    SamplingParams,
    ToolCall,
)
from guard.policy.structured import schema_problem

Float = Annotated[float, Field(strict=True)]


def _valid_unicode(value: str) -> str:
    """Refuse lone surrogates (JSON's ``"\\ud800"``): no tokenizer, detector or database
    can take them, and text guard cannot read is never passed on."""
    for index, char in enumerate(value):
        if "\ud800" <= char <= "\udfff":
            raise ValueError(
                f"text is not valid Unicode: a lone surrogate (U+{ord(char):04X}) at "
                f"character {index}; send UTF-8 text"
            )
    return value


# Every text field of the protocol: strict (no numbers as strings) and valid Unicode.
Text = Annotated[StrictStr, AfterValidator(_valid_unicode)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class TextPart(_Strict):
    type: Literal["text"]
    text: Text


class FunctionCall(_Strict):
    name: Text
    arguments: Text


class ToolCallIn(_Strict):
    id: Text
    type: Literal["function"] = "function"
    function: FunctionCall


class FunctionSpec(_Strict):
    name: Text = Field(min_length=1, max_length=64)
    description: Text | None = None
    parameters: dict[str, Any] | None = None
    strict: StrictBool | None = None


class ToolSpec(_Strict):
    type: Literal["function"]
    function: FunctionSpec


class Message(_Strict):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Text | list[TextPart] | None = None
    name: Text | None = None
    tool_calls: list[ToolCallIn] | None = None
    tool_call_id: Text | None = None

    @model_validator(mode="after")
    def _tool_turns_are_whole(self) -> Message:
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a tool message needs the tool_call_id it answers")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only assistant messages carry tool_calls")
        return self

    @field_validator("content", mode="before")
    @classmethod
    def _only_text_parts(cls, value: Any) -> Any:
        if isinstance(value, list):
            for part in value:
                if isinstance(part, dict) and part.get("type") not in (None, "text"):
                    raise ValueError(
                        f"content parts of type {part.get('type')!r} are not supported; only text"
                    )
        return value

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(_Strict):
    include_usage: StrictBool = False


class _SamplingFields(_Strict):
    """Generation parameters shared by chat and text completions, with OpenAI's ranges."""

    model: Text
    max_tokens: StrictInt | None = Field(default=None, ge=1)
    temperature: Float | None = Field(default=None, ge=0, le=2)
    top_p: Float | None = Field(default=None, gt=0, le=1)
    stop: Text | list[Text] | None = None
    seed: StrictInt | None = None
    n: StrictInt = Field(default=1, ge=1)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    # extensions, as in vLLM, so that greedy, beam search and sampling are all reachable
    top_k: StrictInt = Field(default=0, ge=-1)
    num_beams: StrictInt = Field(default=1, ge=1, le=16)
    min_tokens: StrictInt = Field(default=0, ge=0)
    repetition_penalty: Float = Field(default=1.0, gt=0, le=10)
    # accepted for compatibility, refused when they ask for something guard does not do
    logprobs: StrictBool | StrictInt | None = None
    user: Text | None = None
    safety_identifier: Text | None = None  # OpenAI's newer name for the end user

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences")
        return value

    def sampling(
        self, *, max_tokens: int | None, max_n: int, max_tokens_limit: int
    ) -> SamplingParams:
        if self.logprobs:
            raise InvalidRequestError("logprobs are not supported", param="logprobs")
        if self.stream_options is not None and not self.stream:
            raise InvalidRequestError(
                "stream_options is only allowed when stream is true", param="stream_options"
            )
        if self.n > max_n:
            raise InvalidRequestError(f"n must be at most {max_n}", param="n")
        if max_tokens is not None and max_tokens > max_tokens_limit:
            raise InvalidRequestError(
                f"max_tokens must be at most {max_tokens_limit}", param="max_tokens"
            )
        if max_tokens is not None and self.min_tokens > max_tokens:
            raise InvalidRequestError("min_tokens cannot exceed max_tokens", param="min_tokens")
        stops = (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())
        return SamplingParams(
            max_tokens=max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=max(self.top_k, 0),
            stop=stops,
            seed=self.seed,
            n=self.n,
            num_beams=self.num_beams,
            min_tokens=self.min_tokens,
            repetition_penalty=self.repetition_penalty,
        )

    @property
    def include_usage(self) -> bool:
        return bool(self.stream and self.stream_options and self.stream_options.include_usage)


class ChatCompletionRequest(_SamplingFields):
    messages: list[Message] = Field(min_length=1)
    max_completion_tokens: StrictInt | None = Field(default=None, ge=1)
    tools: list[ToolSpec] | None = None
    tool_choice: Literal["none", "auto", "required"] | dict[str, Any] | None = None
    parallel_tool_calls: StrictBool | None = None
    functions: list[Any] | None = None
    response_format: dict[str, Any] | None = None

    def to_generation(self, *, max_n: int, max_tokens_limit: int) -> GenerationRequest:
        if self.functions:
            raise InvalidRequestError(
                "the legacy functions parameter is not supported; use tools", param="functions"
            )

        kind = (self.response_format or {}).get("type")
        if kind not in (None, "text", "json_object", "json_schema"):
            raise InvalidRequestError(
                f"response_format type {kind!r} is not supported (text, json_object, json_schema)",
                param="response_format",
            )
        problem = schema_problem(self.response_format)
        if problem is not None:
            raise InvalidRequestError(problem, param="response_format")
        limit = self.max_completion_tokens or self.max_tokens
        params = self.sampling(max_tokens=limit, max_n=max_n, max_tokens_limit=max_tokens_limit)
        messages = tuple(
            ChatMessage(
                role="system" if m.role == "developer" else m.role,
                content=m.text(),
                tool_calls=tuple(
                    ToolCall(c.id, c.function.name, c.function.arguments)
                    for c in m.tool_calls or ()
                ),
                tool_call_id=m.tool_call_id,
            )
            for m in self.messages
        )
        return GenerationRequest(
            model=self.model,
            params=params,
            messages=messages,
            tools=tuple(t.model_dump(exclude_none=True) for t in self.tools or ()),
            tool_choice=self.tool_choice,
            parallel_tool_calls=self.parallel_tool_calls,
            response_format=self.response_format if kind not in (None, "text") else None,
        )


class CompletionRequest(_SamplingFields):
    prompt: Text | list[Text]
    echo: StrictBool = False
    suffix: Text | None = None
    best_of: StrictInt | None = None

    def single_prompt(self) -> str:
        if isinstance(self.prompt, str):
            return self.prompt
        if len(self.prompt) != 1:
            raise InvalidRequestError(
                "send one prompt per request: each prompt gets its own audited decision",
                param="prompt",
            )
        return self.prompt[0]

    def to_generation(self, *, max_n: int, max_tokens_limit: int) -> GenerationRequest:
        if self.echo:
            raise InvalidRequestError("echo is not supported", param="echo")
        if self.suffix:
            raise InvalidRequestError("suffix is not supported", param="suffix")
        if self.best_of not in (None, 1, self.n):
            raise InvalidRequestError("best_of is not supported; use num_beams", param="best_of")
        # OpenAI's legacy completions default to 16 tokens when max_tokens is left out.
        max_tokens = self.max_tokens if self.max_tokens is not None else 16
        params = self.sampling(
            max_tokens=max_tokens, max_n=max_n, max_tokens_limit=max_tokens_limit
        )
        return GenerationRequest(model=self.model, params=params, prompt=self.single_prompt())


class EmbeddingsRequest(_Strict):
    """OpenAI's ``POST /v1/embeddings``: text inputs only (token ids cannot be guarded)."""

    model: Text
    input: Text | list[Text] | list[StrictInt] | list[list[StrictInt]]
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: StrictInt | None = Field(default=None, ge=1)
    user: Text | None = None

    def to_embedding(self, *, max_inputs: int = 2048) -> EmbeddingRequest:
        inputs = [self.input] if isinstance(self.input, str) else list(self.input)
        if not inputs:
            raise InvalidRequestError("input must not be empty", param="input")
        if any(not isinstance(item, str) for item in inputs):
            raise InvalidRequestError(
                "token ids cannot be guarded; send the text to embed", param="input"
            )
        if len(inputs) > max_inputs:
            raise InvalidRequestError(f"at most {max_inputs} inputs per request", param="input")
        if any(not item for item in inputs):
            raise InvalidRequestError("an input is an empty string", param="input")
        texts = tuple(str(item) for item in inputs)
        return EmbeddingRequest(model=self.model, inputs=texts, dimensions=self.dimensions)


class InputText(_Strict):
    type: Literal["input_text", "output_text", "text"]
    text: Text


class InputMessage(_Strict):
    """An item of a Responses ``input`` list: a message with text content."""

    type: Literal["message"] = "message"
    role: Literal["system", "developer", "user", "assistant"]
    content: Text | list[InputText]

    @field_validator("content", mode="before")
    @classmethod
    def _only_text_parts(cls, value: Any) -> Any:
        if isinstance(value, list):
            for part in value:
                if isinstance(part, dict) and part.get("type") not in (
                    "input_text",
                    "output_text",
                    "text",
                ):
                    raise ValueError(
                        f"content parts of type {part.get('type')!r} are not supported; only "
                        "input_text"
                    )
        return value

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class TextFormat(_Strict):
    format: dict[str, Any] | None = None


class ResponsesRequest(_Strict):
    """OpenAI's ``POST /v1/responses`` for text: ``input`` (a string or messages),
    ``instructions``, sampling, ``text.format`` for JSON; streamed or not. guard keeps no
    responses, so ``previous_response_id`` and ``store: true`` conversations are refused, as
    are tools (use chat completions for those)."""

    model: Text
    input: Text | list[InputMessage]
    instructions: Text | None = None
    max_output_tokens: StrictInt | None = Field(default=None, ge=1)
    temperature: Float | None = Field(default=None, ge=0, le=2)
    top_p: Float | None = Field(default=None, gt=0, le=1)
    stream: StrictBool = False
    user: Text | None = None
    safety_identifier: Text | None = None
    metadata: dict[str, Text] | None = None
    text: TextFormat | None = None
    store: StrictBool | None = None
    previous_response_id: Text | None = None
    tools: list[Any] | None = None
    conversation: Any = None
    background: StrictBool | None = None

    @field_validator("input", mode="before")
    @classmethod
    def _only_messages(cls, value: Any) -> Any:
        if isinstance(value, list):
            for index, item in enumerate(value):
                kind = item.get("type", "message") if isinstance(item, dict) else None
                if kind != "message":
                    raise ValueError(
                        f"input item {index} is of type {kind!r}; guard's responses endpoint "
                        "takes text messages (use chat completions for tools)"
                    )
        return value

    def to_generation(self, *, max_tokens_limit: int) -> GenerationRequest:
        for name in ("previous_response_id", "conversation"):
            if getattr(self, name):
                raise InvalidRequestError(
                    f"{name} is not supported: guard keeps no responses; send the whole "
                    "conversation as input",
                    param=name,
                )
        if self.tools:
            raise InvalidRequestError(
                "tools are not supported on /v1/responses; use /v1/chat/completions",
                param="tools",
            )
        if self.background:
            raise InvalidRequestError("background responses are not supported", param="background")
        limit = self.max_output_tokens
        if limit is not None and limit > max_tokens_limit:
            raise InvalidRequestError(
                f"max_output_tokens must be at most {max_tokens_limit}", param="max_output_tokens"
            )
        form = (self.text.format if self.text else None) or {"type": "text"}
        kind = form.get("type")
        if kind not in ("text", "json_object", "json_schema"):
            raise InvalidRequestError(
                f"text.format type {kind!r} is not supported (text, json_object, json_schema)",
                param="text.format",
            )
        response_format = None
        if kind == "json_schema":  # the chat shape: the schema under json_schema
            schema = {k: v for k, v in form.items() if k != "type"}
            response_format = {"type": "json_schema", "json_schema": schema}
        elif kind == "json_object":
            response_format = {"type": "json_object"}
        problem = schema_problem(response_format)
        if problem is not None:
            raise InvalidRequestError(problem, param="text.format")
        messages: list[ChatMessage] = []
        if self.instructions:
            messages.append(ChatMessage(role="system", content=self.instructions))
        if isinstance(self.input, str):
            messages.append(ChatMessage(role="user", content=self.input))
        else:
            for item in self.input:
                role = "system" if item.role == "developer" else item.role
                messages.append(ChatMessage(role=role, content=item.text()))
        if not messages:
            raise InvalidRequestError("input must not be empty", param="input")
        params = SamplingParams(max_tokens=limit, temperature=self.temperature, top_p=self.top_p)
        return GenerationRequest(
            model=self.model,
            params=params,
            messages=tuple(messages),
            response_format=response_format,
            api="responses",
        )
