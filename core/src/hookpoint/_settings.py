"""Host settings: ``HOOKPOINT_*`` environment variables (pydantic-settings); CLI flags override.

Every field here is documented in ``docs/configuration.md``; a test keeps the two in sync.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Settings of ``hookpoint serve`` / ``hookpoint worker``."""

    # Errors never echo what was given: several settings are secrets or URLs holding tokens.
    model_config = SettingsConfigDict(
        env_prefix="HOOKPOINT_", extra="ignore", validate_default=True, hide_input_in_errors=True
    )

    database_url: str = Field(
        default="sqlite:///./hookpoint.db",
        description="Store URL: sqlite:///path.db (default ./hookpoint.db) or postgresql://...",
    )
    host: str = Field(default="127.0.0.1", description="Interface to bind.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to bind.")
    workers: int = Field(default=1, ge=1, le=64, description="Hypercorn worker processes.")
    no_worker: bool = Field(
        default=False, description="Do not run jobs in the serving process (scale-out hosts)."
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL senders use (printed endpoint URLs); default http://host:port.",
    )
    webhook_prefix: str = Field(default="/webhooks", description="Path prefix of endpoints.")
    admin_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for /api and the dashboard (else loopback clients only).",
    )
    max_body_size: int = Field(
        default=10 * 1024 * 1024, ge=1, description="Largest accepted body in bytes (413 past it)."
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma list of proxy IPs whose X-Forwarded-* headers are honoured.",
    )
    worker_concurrency: int = Field(default=16, ge=1, description="Runs executed at once.")
    lease_seconds: float = Field(
        default=30.0, gt=0, description="Run lease; renewed by heartbeats."
    )
    retention_days: float = Field(
        default=30.0, ge=0, description="Purge requests and final runs older than this (0 = keep)."
    )
    rate_limit: float = Field(
        default=0.0, ge=0, description="Per-endpoint ingest limit, requests/s (0 = off)."
    )
    global_rate_limit: float = Field(
        default=0.0, ge=0, description="Ingest limit over all endpoints, requests/s (0 = off)."
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection is kept."
    )
    read_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a sender may take to send the whole request."
    )
    sample_curl: bool | None = Field(
        default=None,
        description="Print a signed sample curl per endpoint at start "
        "(default: only when bound to loopback).",
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    sqlite_synchronous: str = Field(
        default="FULL", description="SQLite synchronous pragma (FULL, NORMAL)."
    )

    alert_url: str | None = Field(
        default=None,
        description="Send alerts here as Standard Webhooks (needs HOOKPOINT_ALERT_SECRET).",
    )
    alert_secret: SecretStr | None = Field(
        default=None, description="whsec_<base64> secret the alert webhooks are signed with."
    )
    alert_slack_url: SecretStr | None = Field(
        default=None, description="Slack incoming-webhook URL to post alerts to."
    )
    alert_window: float = Field(
        default=900.0,
        gt=0,
        description="Seconds: at most one firing alert per condition and key per window; "
        "also how far back dead runs count.",
    )
    alert_interval: float = Field(
        default=15.0, ge=0, description="Seconds between alert checks of a host (0 = no alerts)."
    )
    alert_rejected_per_minute: int = Field(
        default=30,
        ge=0,
        description="Rejected requests to one endpoint per minute that alert (0 = off).",
    )
    alert_queue_age: float = Field(
        default=300.0,
        ge=0,
        description="Seconds the oldest queued run may wait before it alerts (0 = off).",
    )
    alert_timeout: float = Field(
        default=5.0, gt=0, le=60, description="Seconds one alert notification may take."
    )

    @field_validator("alert_url", "alert_slack_url")
    @classmethod
    def _alert_http_url(cls, value: str | SecretStr | None) -> str | SecretStr | None:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is not None:
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("an alert URL is http:// or https:// with a host")
        return value

    @field_validator("alert_secret")
    @classmethod
    def _whsec(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        text = value.get_secret_value()
        try:
            key = base64.b64decode(text.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not text.startswith("whsec_") or not key:
            raise ValueError("the alert secret is whsec_ followed by base64")
        return value

    @model_validator(mode="after")
    def _alert_url_needs_secret(self) -> Settings:
        if self.alert_url and self.alert_secret is None:
            raise ValueError("HOOKPOINT_ALERT_URL needs HOOKPOINT_ALERT_SECRET (whsec_...)")
        return self

    @field_validator("webhook_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = "/" + value.strip("/")
        if value == "/":
            raise ValueError("webhook_prefix cannot be empty")
        return value

    @property
    def trusted_proxy_set(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    def binds_loopback_only(self) -> bool:
        """Whether the host listens on a loopback interface only (a development setup)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:  # a host name: it may resolve to anything
            return False

    def prints_sample_curl(self) -> bool:
        """The start-up banner's signed sample curls: a valid signed delivery, so only where
        the logs stay on a developer's machine unless asked for (``sample_curl``)."""
        return self.binds_loopback_only() if self.sample_curl is None else self.sample_curl

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"
