"""An app declared in a TOML file (``Hookpoint.from_toml``, ``hookpoint serve hookpoint.toml``):
endpoints work as their Python twins, secrets come only from the environment, and every mistake
is an error naming the file, the table and the key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from hookpoint import ConfigError, Destination, Hookpoint
from hookpoint.testing import app_client, load_plugins, sign_sample

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
    import hostile_app
    from loopback_receiver import Receiver
finally:
    sys.path.pop(0)

ENV = {"CAL_SECRET": "cal-secret-from-env", "WA_SECRET": "wa-app-secret", "WA_TOKEN": "wa-token"}


def write(tmp_path: Path, text: str, name: str = "hookpoint.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Hookpoint:
    return Hookpoint.from_toml(write(tmp_path, text), env=ENV if env is None else env)


def error_of(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, env)
    return str(info.value)


CAL = """
    [app]
    id = "from-file"

    [[endpoints]]
    id = "cal"
    source = "cal.com"
    provider = "caldotcom"
    secrets = [{ env = "CAL_SECRET" }]
"""


def test_endpoints_are_defined_as_in_python(tmp_path: Path) -> None:
    hp = load(
        tmp_path,
        CAL
        + """
    [[endpoints]]
    id = "wa"
    provider = "whatsapp"
    secret = "${WA_SECRET}"
    settings = { verify_token = { env = "WA_TOKEN" } }
    title = "WhatsApp Cloud API"
    methods = ["GET", "POST"]
    dedupe_window = 60
    """,
    )
    assert hp.id == "from-file"
    cal, wa = hp.endpoints["cal"], hp.endpoints["wa"]
    assert (cal.provider, cal.source, cal.secrets) == (
        "caldotcom",
        "cal.com",
        ("cal-secret-from-env",),
    )
    assert wa.source == "whatsapp"  # defaults to the provider's name
    assert wa.secrets == ("wa-app-secret",)
    assert wa.settings is not None
    token = wa.settings.verify_token  # type: ignore[attr-defined]
    assert token.get_secret_value() == "wa-token"
    assert wa.title == "WhatsApp Cloud API" and wa.methods == ("GET", "POST")
    assert wa.dedupe_window == 60.0


def test_keyed_tables_are_the_same_as_arrays(tmp_path: Path) -> None:
    hp = load(
        tmp_path,
        """
        [endpoints.cal]
        provider = "caldotcom"
        secrets = [{ env = "CAL_SECRET" }]

        [endpoints.open]
        source = "internal"
        verify = "none"
        """,
    )
    assert set(hp.endpoints) == {"cal", "open"}
    assert hp.id == "app"
    assert hp.endpoints["open"].verification_mode == "none"


async def test_a_file_endpoint_verifies_and_stores_deliveries(
    tmp_path: Path, hookpoint_database_url: str
) -> None:
    """The secret the file names in the environment is the one deliveries are checked with."""
    hp = load(tmp_path, CAL)
    host = load_plugins()
    good = sign_sample(
        host, "caldotcom", host.provider("caldotcom").samples[0].name, secret=ENV["CAL_SECRET"]
    )
    forged = sign_sample(
        host, "caldotcom", host.provider("caldotcom").samples[0].name, secret="another-secret"
    )
    async with app_client(hp, database_url=hookpoint_database_url) as http:
        ok = await http.post("/webhooks/cal", content=good.body, headers=dict(good.headers))
        bad = await http.post("/webhooks/cal", content=forged.body, headers=dict(forged.headers))
    assert ok.status_code == 200, ok.text
    assert bad.status_code == 401


def test_python_jobs_can_be_added_to_a_file_app(tmp_path: Path) -> None:
    hp = load(tmp_path, CAL)

    @hp.job(id="python-job", trigger=hp.endpoints["cal"].on_request())
    async def handle(request: object, io: object, ctx: object) -> None:
        return None

    assert set(hp.jobs) == {"python-job"}


# -- secrets never in the file -------------------------------------------------------------------


def test_a_secret_written_in_the_file_is_refused(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        """
        [[endpoints]]
        id = "cal"
        provider = "caldotcom"
        secrets = ["whsec_written_in_the_file"]
        """,
    )
    assert "hookpoint.toml" in message and "[[endpoints]] #1 (id 'cal')" in message
    assert "'secrets'" in message and "never written in the file" in message
    assert "whsec_written_in_the_file" not in message


def test_a_secret_reference_cannot_have_a_default(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        """
        [[endpoints]]
        id = "cal"
        provider = "caldotcom"
        secret = "${CAL_SECRET:-fallback}"
        """,
    )
    assert "'secret'" in message and "never written in the file" in message


def test_an_unset_variable_is_named(tmp_path: Path) -> None:
    message = error_of(tmp_path, CAL, env={})
    assert "[[endpoints]] #1 (id 'cal'), key 'secrets'" in message
    assert "environment variable CAL_SECRET is not set" in message


def test_defaults_and_interpolation_outside_secrets(tmp_path: Path) -> None:
    hp = load(
        tmp_path,
        """
        [[endpoints]]
        id = "open"
        source = "${SOURCE_NAME:-fallback source} (${REGION:-eu})"
        verify = "none"
        """,
        env={"REGION": "us"},
    )
    assert hp.endpoints["open"].source == "fallback source (us)"


# -- errors name the file, the table and the key ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[[endpoints]]\nid = 'cal'\nprovider = 'caldotcom'\n"
            "secret = '${CAL_SECRET}'\ncolour = 1\n",
            "[[endpoints]] #1 (id 'cal'), key 'colour': unknown key",
        ),
        ("[[endpoints]]\nsource = 'x'\nverify = 'none'\n", "[[endpoints]] #1, key 'id': missing"),
        ("[[endpoints]]\nid = 'x'\nverify = 'sometimes'\n", "key 'verify'"),
        ("[[endpoints]]\nid = 'x'\nverify = 'none'\ndedupe_window = -1\n", "key 'dedupe_window'"),
        (
            "[[endpoints]]\nid = 'x'\nprovider = 'no-such-provider'\nsecret = '${CAL_SECRET}'\n",
            "[[endpoints]] #1 (id 'x'): ",
        ),
        (
            "[[endpoints]]\nid = 'x'\n",
            "[[endpoints]] #1 (id 'x'): endpoint 'x' has no way to verify",
        ),
        ("[server]\nport = 1\n", "unknown top-level key 'server'"),
        ("[endpoints.a]\nid = 'b'\nverify = 'none'\n", "[endpoints.a], key 'id'"),
        ("endpoints = 3\n", "'endpoints' must be"),
        ("[app]\nid = 'bad id!'\n", "[app], key 'id'"),
        ("[[jobs]]\nendpoint = 'cal'\n", "[[jobs]] #1, key 'to': missing"),
    ],
)
def test_errors_name_file_table_and_key(tmp_path: Path, text: str, expected: str) -> None:
    message = error_of(tmp_path, text)
    assert message.startswith(str(tmp_path / "hookpoint.toml") + ": "), message
    assert expected in message, message


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[[endpoints]]\nid = \n")
    assert "not valid TOML" in message and "line 2" in message


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        Hookpoint.from_toml(tmp_path / "absent.toml")


def test_a_secret_provider_setting_must_come_from_the_environment(tmp_path: Path) -> None:
    """WhatsApp's ``verify_token`` is a ``SecretStr`` setting: a secret like the app secret."""
    message = error_of(
        tmp_path,
        """
        [[endpoints]]
        id = "wa"
        provider = "whatsapp"
        secret = "${WA_SECRET}"
        settings = { verify_token = "typed-into-the-file" }
        """,
    )
    assert "[[endpoints]] #1 (id 'wa'), key 'settings.verify_token'" in message
    assert "never written in the file" in message and "typed-into-the-file" not in message


# -- forwarding jobs -------------------------------------------------------------------------------

WHSEC = "whsec_" + base64.b64encode(b"toml-forwarding-signing-key-32b!").decode()


def test_a_forwarding_job_is_the_same_destination_as_in_python(tmp_path: Path) -> None:
    env = {**ENV, "SERVICE_TOKEN": "service-token-from-env", "SIGNING": WHSEC}
    hp = load(
        tmp_path,
        CAL
        + """
    [[jobs]]
    id = "cal-to-service"
    endpoint = "cal"
    to = "${SERVICE_URL:-http://127.0.0.1:3999}/hooks/cal"
    filter = { body = { triggerEvent = ["BOOKING_CANCELLED"] } }
    headers = { Authorization = "Bearer ${SERVICE_TOKEN}", X-Team = "payments" }
    sign = "standardwebhooks"
    secret = { env = "SIGNING" }
    timeout = 3
    retry = { max_attempts = 4, initial_delay = 0.5 }
    retry_on = [429, "5xx"]
    concurrency = 2
    rate_limit = 5

    [[jobs]]
    endpoint = "cal"
    to = "http://127.0.0.1:3999/all"
    """,
        env=env,
    )
    twin = Hookpoint("twin", env=env)
    cal = twin.define_http_endpoint(
        id="cal", source="cal.com", provider="caldotcom", secrets=[ENV["CAL_SECRET"]]
    )
    expected = twin.forward(
        cal,
        "http://127.0.0.1:3999/hooks/cal",
        id="cal-to-service",
        filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}},
        headers={"Authorization": "Bearer service-token-from-env", "X-Team": "payments"},
        sign="standardwebhooks",
        secret=WHSEC,
        timeout=3,
        retry={"max_attempts": 4, "initial_delay": 0.5},
        retry_on=[429, "5xx"],
        concurrency=2,
        rate_limit=5,
    )
    got = hp.jobs["cal-to-service"]
    assert isinstance(got, Destination) and isinstance(expected, Destination)
    assert repr(got.settings) == repr(expected.settings)
    assert got.retry == expected.retry and got.global_concurrency == 2
    # without an id, the same stable default id as in Python
    assert set(hp.jobs) == {"cal-to-service", twin.forward(cal, "http://127.0.0.1:3999/all").id}


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("endpoint = 'nope'\nto = 'http://x'\n", "key 'endpoint': no endpoint 'nope' is defined"),
        ("endpoint = 'cal'\nto = 'ftp://x'\n", "[[jobs]] #1: "),
        ("endpoint = 'cal'\nto = 'http://x'\nsecret = 'whsec_literal'\n", "never written"),
        ("endpoint = 'cal'\nto = 'http://x'\nconcurrency = 0\n", "key 'concurrency'"),
        ("endpoint = 'cal'\nto = 'http://x'\nretry = { tries = 3 }\n", "[[jobs]] #1: "),
        ("endpoint = 'cal'\nto = 'http://x'\nsign = 'hmac'\n", "[[jobs]] #1: "),
    ],
)
def test_forwarding_job_errors_name_the_table(tmp_path: Path, table: str, expected: str) -> None:
    message = error_of(tmp_path, CAL + "\n[[jobs]]\n" + table)
    assert "hookpoint.toml: [[jobs]] #1" in message and expected in message, message


@pytest.mark.slow
async def test_serving_the_example_file_forwards_the_seeds_senders(tmp_path: Path) -> None:
    """``hookpoint serve examples/hookpoint.toml`` as a user runs it: cal.com and WhatsApp
    deliveries verified with the secrets from the environment, reach the service byte for byte
    with their own signatures; WhatsApp's handshake is answered and forwards nothing."""
    example = Path(__file__).resolve().parent.parent / "examples" / "hookpoint.toml"
    cal_secret, wa_secret, wa_token = "cal-example-secret", "wa-example-secret", "wa-verify"
    async with Receiver() as service:
        env = {
            "CALDOTCOM_SECRET": cal_secret,
            "WHATSAPP_APP_SECRET": wa_secret,
            "WHATSAPP_WEBHOOK_SECRET": wa_token,
            "SERVICE_URL": service.url,
        }
        with hostile_app.served(tmp_path, env=env, app=str(example)) as host:
            async with httpx.AsyncClient(base_url=host.url, timeout=10) as client:
                cal_body = cal_samples.cal_body("toml-1")
                r = await client.post(
                    "/webhooks/caldotcom",
                    content=cal_body,
                    headers=cal_samples.cal_headers(cal_body, cal_secret),
                )
                assert r.status_code == 200, r.text
                forged = await client.post(
                    "/webhooks/caldotcom",
                    content=cal_body,
                    headers=cal_samples.cal_headers(cal_body, "not-the-secret"),
                )
                assert forged.status_code == 401
                challenge = await client.get(
                    "/webhooks/whatsapp",
                    params={
                        "hub.mode": "subscribe",
                        "hub.verify_token": wa_token,
                        "hub.challenge": "1158201444",
                    },
                )
                assert challenge.status_code == 200 and challenge.text == "1158201444"
                wa_body = b'{"object":"whatsapp_business_account","entry":[]}'
                wa_sig = (
                    "sha256=" + hmac.new(wa_secret.encode(), wa_body, hashlib.sha256).hexdigest()
                )
                r = await client.post(
                    "/webhooks/whatsapp",
                    content=wa_body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": wa_sig},
                )
                assert r.status_code == 200, r.text
                got = await service.wait_for(2, timeout=30)
    by_path = {g.target: g for g in got}
    assert set(by_path) == {"/webhooks/caldotcom", "/webhooks/whatsapp"}
    cal, wa = by_path["/webhooks/caldotcom"], by_path["/webhooks/whatsapp"]
    assert cal.body == cal_body and cal.method == "POST"
    assert (
        cal.header("x-cal-signature-256")
        == cal_samples.cal_headers(cal_body, cal_secret)["X-Cal-Signature-256"]
    )
    assert wa.body == wa_body and wa.header("x-hub-signature-256") == wa_sig
    assert cal.header("x-hookpoint-endpoint") == "caldotcom"
    assert wa.header("x-hookpoint-endpoint") == "whatsapp"
