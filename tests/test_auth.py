"""The one rule the management API and the dashboard share for who may use them."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from hookpoint._auth import is_local_client, token_matches


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_a_loopback_peer_without_proxy_headers_is_local(peer: str) -> None:
    assert is_local_client(peer, Headers({"Host": "localhost"}))


@pytest.mark.parametrize("peer", [None, "", "10.0.0.2", "203.0.113.9", "127.0.0.2", "::2"])
def test_any_other_peer_is_not(peer: str | None) -> None:
    assert not is_local_client(peer, Headers())


@pytest.mark.parametrize(
    "header", ["X-Forwarded-For", "x-forwarded-host", "X-Forwarded-Proto", "Forwarded", "X-Real-IP"]
)
def test_a_loopback_peer_that_is_a_proxy_is_not_local(header: str) -> None:
    assert not is_local_client("127.0.0.1", Headers({header: "203.0.113.9"}))


def test_token_comparison() -> None:
    assert token_matches("s3cr3t", "s3cr3t")
    assert token_matches("  s3cr3t ", "s3cr3t")
    assert not token_matches("s3cr3", "s3cr3t")
    assert not token_matches("", "s3cr3t")
    assert token_matches("café", "café")
