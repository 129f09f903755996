"""Typed, tolerant models of cal.com webhook bodies.

Every model accepts unknown keys (``extra="allow"``) and every field is optional: cal.com adds
fields often, older self-hosted instances send fewer, and custom payload templates can send
anything. Attribute names are snake_case; the JSON keys are cal.com's camelCase.

Shapes (see https://cal.com/docs/developing/guides/automation/webhooks):

* the default envelope ``{"triggerEvent", "createdAt", "payload": {...}}`` (:class:`CalWebhook`);
* ``FORM_SUBMITTED``/``FORM_SUBMITTED_NO_EVENT``: the envelope with form answers in ``payload``
  and duplicated at top level (:class:`FormSubmitted`);
* ``MEETING_STARTED``/``MEETING_ENDED``: **flat**, the booking row's fields next to
  ``triggerEvent`` and no ``payload`` key (:class:`MeetingEvent`).

:func:`parse_payload` picks the right model for a decoded JSON body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeAlias

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "Attendee",
    "BookingPayload",
    "CalPayload",
    "CalWebhook",
    "FormPayload",
    "FormSubmitted",
    "Language",
    "MeetingEvent",
    "Organizer",
    "Person",
    "VideoCallData",
    "parse_payload",
]

CalTime: TypeAlias = Annotated[datetime | int | str | None, Field(union_mode="left_to_right")]
"""A time cal.com sent: parsed to ``datetime`` when it is ISO-8601 (or Unix seconds), otherwise
the original string is kept."""

FLAT_TRIGGERS = frozenset({"MEETING_STARTED", "MEETING_ENDED"})
FORM_TRIGGERS = frozenset({"FORM_SUBMITTED", "FORM_SUBMITTED_NO_EVENT"})


class CalModel(BaseModel):
    """Base of the cal.com models: camelCase JSON keys, unknown keys kept."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel)


class Language(CalModel):
    locale: str | None = None


class Person(CalModel):
    """A person in a booking (``organizer``, ``attendees[]``, the flat shape's ``user``)."""

    id: int | str | None = None
    name: str | None = None
    email: str | None = None
    username: str | None = None
    time_zone: str | None = None
    language: Language | None = None
    locale: str | None = None
    time_format: str | None = None
    utc_offset: int | None = None


class Organizer(Person):
    username_in_org: str | None = None


class Attendee(Person):
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    booking_id: int | None = None
    no_show: bool | None = None


class VideoCallData(CalModel):
    type: str | None = None
    id: str | None = None
    password: str | None = None
    url: str | None = None


class BookingPayload(CalModel):
    """The ``payload`` of booking triggers (created, cancelled, rescheduled, paid, no-show, …).

    Triggers that are not about one booking (``OOO_CREATED``, ``DELEGATION_CREDENTIAL_*``,
    ``WRONG_ASSIGNMENT_REPORT``) parse too: their keys land in the model's extra fields.
    """

    uid: str | None = None
    booking_id: int | None = None
    booking_uid: str | None = None
    """No-show and instant-meeting triggers name the booking with ``bookingUid``."""
    title: str | None = None
    type: str | None = None
    description: str | None = None
    additional_notes: str | None = None
    event_type_id: int | None = None
    event_title: str | None = None
    event_description: str | None = None
    start_time: CalTime = None
    end_time: CalTime = None
    length: int | None = None
    status: str | None = None
    location: str | None = None
    booker_url: str | None = None
    organizer: Organizer | None = None
    attendees: list[Attendee] = Field(default_factory=list)
    responses: dict[str, Any] = Field(default_factory=dict)
    user_fields_responses: dict[str, Any] = Field(default_factory=dict)
    custom_inputs: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    video_call_data: VideoCallData | None = None
    cancellation_reason: str | None = None
    rejection_reason: str | None = None
    reschedule_uid: str | None = None
    rescheduled_by: str | None = None
    rescheduled_from_uid: str | None = None
    i_cal_uid: str | None = Field(default=None, alias="iCalUID")
    i_cal_sequence: int | None = Field(default=None, alias="iCalSequence")
    price: float | None = None
    currency: str | None = None
    requires_confirmation: bool | None = None

    @property
    def video_call_url(self) -> str | None:
        """``metadata.videoCallUrl`` (Google Meet, Cal Video, …) when present."""
        value = self.metadata.get("videoCallUrl")
        return value if isinstance(value, str) else None


class _Envelope(CalModel):
    trigger_event: str | None = None
    created_at: CalTime = None


class CalWebhook(_Envelope):
    """The default envelope: ``{"triggerEvent": ..., "createdAt": ..., "payload": {...}}``."""

    payload: BookingPayload | None = None


class FormPayload(CalModel):
    form_id: str | None = None
    form_name: str | None = None
    team_id: int | None = None
    response_id: int | None = None
    responses: dict[str, Any] = Field(default_factory=dict)
    """Answer per field label: ``{"value": ..., "response": ...}`` (``value`` is deprecated)."""
    redirect: dict[str, Any] | None = None


class FormSubmitted(_Envelope):
    """``FORM_SUBMITTED`` / ``FORM_SUBMITTED_NO_EVENT`` (routing forms).

    The answers are also duplicated at top level by label for backward compatibility; they are
    in the model's extra fields (``model.model_extra``).
    """

    payload: FormPayload | None = None


class MeetingEvent(CalModel):
    """``MEETING_STARTED`` / ``MEETING_ENDED``: the booking row, flat, next to ``triggerEvent``.

    ``created_at`` here is when the *booking* was created, not when the webhook was sent.
    """

    trigger_event: str | None = None
    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "bookingId"))
    uid: str | None = None
    idempotency_key: str | None = None
    user_id: int | None = None
    user_primary_email: str | None = None
    event_type_id: int | None = None
    title: str | None = None
    description: str | None = None
    start_time: CalTime = None
    end_time: CalTime = None
    location: str | None = None
    status: str | None = None
    created_at: CalTime = None
    updated_at: CalTime = None
    responses: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    user: Person | None = None
    attendees: list[Attendee] = Field(default_factory=list)


CalPayload: TypeAlias = CalWebhook | FormSubmitted | MeetingEvent


def parse_payload(data: Any) -> CalPayload:
    """Parse a decoded cal.com JSON body into the model matching its shape.

    :raises ValueError: when ``data`` is not a JSON object (pydantic's ``ValidationError`` is a
        ``ValueError`` too, raised when a known field has an impossible type).
    """
    if not isinstance(data, dict):
        raise ValueError(f"a cal.com webhook body is a JSON object, not {type(data).__name__}")
    trigger = data.get("triggerEvent")
    if not isinstance(trigger, str):
        return CalWebhook.model_validate(data)
    if trigger in FORM_TRIGGERS:
        return FormSubmitted.model_validate(data)
    if trigger in FLAT_TRIGGERS and not isinstance(data.get("payload"), dict):
        return MeetingEvent.model_validate(data)
    return CalWebhook.model_validate(data)
