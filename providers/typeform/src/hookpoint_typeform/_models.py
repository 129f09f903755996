"""Typed, tolerant models of Typeform webhook bodies.

Shapes after Typeform's "Example webhook payload"
(https://www.typeform.com/developers/webhooks/example-payload/). Every model keeps unknown keys
(``extra="allow"``) and every field is optional.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Answer",
    "Definition",
    "FieldDefinition",
    "FieldRef",
    "FormResponse",
    "TypeformWebhook",
    "parse_payload",
]


class TypeformModel(PayloadModel):
    """Base of the Typeform models: unknown keys kept."""


class FieldRef(TypeformModel):
    """The question an answer belongs to."""

    id: str | None = None
    type: str | None = None
    ref: str | None = None


class Answer(TypeformModel):
    """One answer. ``type`` names the key that holds the value (``text``, ``email``, ``number``,
    ``boolean``, ``date``, ``choice``, ``choices``, ``url``, ``file_url``, ``phone_number``,
    ``payment``…); :attr:`value` returns it."""

    type: str | None = None
    field: FieldRef | None = None

    @property
    def value(self) -> Any:
        """The answer's value (``answer.choice["label"]`` for a choice, and so on)."""
        if self.type is None or self.model_extra is None:
            return None
        return self.model_extra.get(self.type)


class FieldDefinition(TypeformModel):
    id: str | None = None
    title: str | None = None
    type: str | None = None
    ref: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    choices: list[dict[str, Any]] = Field(default_factory=list)


class Definition(TypeformModel):
    id: str | None = None
    title: str | None = None
    fields: list[FieldDefinition] = Field(default_factory=list)
    endings: list[dict[str, Any]] = Field(default_factory=list)


class FormResponse(TypeformModel):
    form_id: str | None = None
    token: str | None = None
    """The response's id (the same as ``response_id`` in Typeform's Responses API)."""
    landed_at: datetime | str | None = Field(default=None, union_mode="left_to_right")
    submitted_at: datetime | str | None = Field(default=None, union_mode="left_to_right")
    hidden: dict[str, Any] = Field(default_factory=dict)
    calculated: dict[str, Any] = Field(default_factory=dict)
    variables: list[dict[str, Any]] = Field(default_factory=list)
    definition: Definition | None = None
    answers: list[Answer] = Field(default_factory=list)
    ending: dict[str, Any] | None = None

    def answer(self, ref: str) -> Answer | None:
        """The answer to the question whose ``ref`` (or ``id``) is ``ref``, if any."""
        for answer in self.answers:
            if answer.field is not None and ref in (answer.field.ref, answer.field.id):
                return answer
        return None


class TypeformWebhook(TypeformModel):
    """``{"event_id", "event_type": "form_response", "form_response": {...}}``."""

    event_id: str | None = None
    event_type: str | None = None
    form_response: FormResponse | None = None


_parse = payload_parser(TypeformWebhook)


def parse_payload(data: Any) -> TypeformWebhook:
    """Parse a decoded Typeform JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("TypeformWebhook", _parse(data))
