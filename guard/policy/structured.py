"""Structured answers: JSON kept valid through redaction, and checked against its schema.

A request with ``response_format`` ``json_object`` or ``json_schema`` gets JSON back. The
output guard redacts inside string values and restores the caller's own values escaped as
JSON needs (``json_restored``); when a schema is given, the answer the caller gets must
still match it where the model's answer did (``schema_broken``): a redaction that breaks
it (a redacted ``format: email`` field, a pattern, an enum) withholds the answer rather
than hand the application JSON it cannot use. A schema is checked when the request comes
in (``schema_problem``), so a broken one is a 400 naming ``response_format``.
"""

from __future__ import annotations

import json
from typing import Any

from guard.policy.actions import Pseudonyms


def answer_schema(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON schema a ``json_schema`` response format gives, if any."""
    if not response_format or response_format.get("type") != "json_schema":
        return None
    schema = (response_format.get("json_schema") or {}).get("schema")
    return schema if isinstance(schema, dict) else None


def schema_problem(response_format: dict[str, Any] | None) -> str | None:
    """Why a request's schema is no JSON Schema (None when it is, or there is none)."""
    import jsonschema

    if response_format and response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema", {}), dict):
            return "a json_schema response format needs json_schema: {name, schema}"
    schema = answer_schema(response_format)
    if schema is None:
        return None
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"response_format's schema is not a valid JSON Schema: {exc.message}"
    return None


def _matches(schema: dict[str, Any], text: str) -> bool:
    import jsonschema

    try:
        data = json.loads(text)
    except ValueError:
        return False
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return validator.is_valid(data)


def schema_broken(response_format: dict[str, Any] | None, original: str, answer: str) -> str | None:
    """Why the redacted ``answer`` is withheld: the model's answer matched the schema and
    the redacted one does not. None when it still matches, when there is no schema, or when
    the model's answer did not match either (the model's doing, passed on as it is)."""
    schema = answer_schema(response_format)
    if schema is None or answer == original or _matches(schema, answer):
        return None
    if not _matches(schema, original):
        return None
    return "The answer could not be redacted and still match its JSON schema."


def json_restored(original: str, redacted: str, pseudonyms: Pseudonyms) -> str | None:
    """A JSON answer with its redactions, and the caller's values restored inside string
    values (escaped as JSON needs). An answer that was not JSON to begin with comes back
    redacted as it is; None when the redaction itself broke valid JSON."""
    try:
        data = json.loads(redacted)
    except ValueError:
        try:
            json.loads(original)
        except ValueError:
            return pseudonyms.restore(redacted)  # not JSON before either: the model's doing
        return None
    if redacted == original and pseudonyms.restore(redacted) == redacted:
        return original  # nothing to change: the model's bytes as they were

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return pseudonyms.restore(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {walk(k): walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(data), ensure_ascii=False)
