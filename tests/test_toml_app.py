"""An app declared in a TOML file (``Hookpoint.from_toml``, ``hookpoint serve hookpoint.toml``):
endpoints work as their Python twins, secrets come only from the environment, and every mistake
is an error naming the file, the table and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hookpoint import ConfigError, Hookpoint
from hookpoint.testing import app_client, load_plugins, sign_sample

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
