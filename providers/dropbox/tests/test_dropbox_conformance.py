"""The provider conformance suite of ``hookpoint.testing``, run on the Dropbox plugin."""

from __future__ import annotations

import hookpoint_dropbox
from hookpoint.testing import ProviderConformance


class TestDropboxConformance(ProviderConformance):
    provider = "dropbox"
    plugin = hookpoint_dropbox.PLUGIN
