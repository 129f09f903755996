"""Typed, tolerant model of Dropbox webhook notifications.

A notification only says *which accounts* changed
(https://www.dropbox.com/developers/reference/webhooks): ``{"list_folder": {"accounts":
[...]}, "delta": {"users": [...]}}``. The job then calls ``/files/list_folder/continue`` with
its stored cursor for each account. Unknown keys are kept (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = ["Delta", "DropboxNotification", "ListFolder", "parse_payload"]


class DropboxModel(PayloadModel):
    """Base of the Dropbox models: unknown keys kept."""


class ListFolder(DropboxModel):
    accounts: list[str] = Field(default_factory=list)
    """Account ids (``dbid:…``) with changes under the app's access."""


class Delta(DropboxModel):
    users: list[int] = Field(default_factory=list)
    """Legacy numeric user ids (API v1); still sent next to ``list_folder``."""


class DropboxNotification(DropboxModel):
    list_folder: ListFolder | None = None
    delta: Delta | None = None

    @property
    def accounts(self) -> list[str]:
        """The account ids to sync (``list_folder.accounts``)."""
        return list(self.list_folder.accounts) if self.list_folder is not None else []


_parse = payload_parser(DropboxNotification)


def parse_payload(data: Any) -> DropboxNotification:
    """Parse a decoded Dropbox JSON body; ``ValueError`` when it is not a JSON object."""
    return cast("DropboxNotification", _parse(data))
