"""Hookpoint provider plugin for GitLab webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``gitlab = "hookpoint_gitlab:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://docs.gitlab.com/user/project/integrations/webhooks/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_HEADER,
    EVENT_TYPES,
    SIGNING,
    TOKEN_HEADER,
    GitLabSettings,
    describe,
    sign,
    verify,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_HEADER",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNING",
    "TOKEN_HEADER",
    "GitLabSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "gitlab"

PROVIDER = ProviderInfo(
    name=NAME,
    title="GitLab",
    icon="gitlab",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.gitlab.com/user/project/integrations/webhooks/",
    settings_model=GitLabSettings,
    samples=SAMPLES,
    verification=(
        "X-Gitlab-Token: the secret token, compared in constant time (it does not sign "
        "the body); optional signing token: Standard Webhooks webhook-signature (whsec_ secret)"
    ),
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[GitLabSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe
)
