"""Endpoint and provider icons: the SVG sanitiser against hostile input, the monograms, which
icon an endpoint shows, and that every provider ships a usable icon in its wheel."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hookpoint import Hookpoint, ProviderInfo, read_icon
from hookpoint._icons import (
    ICON_MAX_BYTES,
    IconError,
    IconSet,
    initials,
    monogram_svg,
    sanitize_svg,
)
from hookpoint._plugins import PluginHost

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = sorted(
    p.name for p in (ROOT / "providers").iterdir() if (p / "pyproject.toml").exists()
)
SVG = 'xmlns="http://www.w3.org/2000/svg"'


def test_a_plain_icon_keeps_its_drawing() -> None:
    clean = sanitize_svg(
        f'<svg {SVG} viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" '
        'stop-color="#fff"/></linearGradient></defs><g transform="scale(2)"><path d="M0 0h5v5z" '
        'fill="url(#g)" stroke="#000"/><circle cx="5" cy="5" r="2" style="fill:#f00"/>'
        '<text x="1" y="9">A&amp;B</text></g></svg>'
    )
    assert clean.startswith(f'<svg {SVG} viewBox="0 0 10 10">')
    for kept in ('d="M0 0h5v5z"', 'fill="url(#g)"', 'style="fill:#f00"', "A&amp;B", "<stop"):
        assert kept in clean


@pytest.mark.parametrize(
    ("hostile", "gone"),
    [
        (f"<svg {SVG}><script>alert(1)</script><rect width='1' height='1'/></svg>", "script"),
        (f"<svg {SVG} onload=\"alert(1)\"><rect width='1' height='1'/></svg>", "onload"),
        (f"<svg {SVG}><rect width='1' height='1' onclick='x()' onmouseover='y()'/></svg>", "on"),
        (
            f"<svg {SVG}><foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>hi</div>"
            "</foreignObject><rect width='1' height='1'/></svg>",
            "foreignObject",
        ),
        (
            f"<svg {SVG} xmlns:xlink='http://www.w3.org/1999/xlink'><a xlink:href='javascript:x'>"
            "<circle r='1'/></a><rect width='1' height='1'/></svg>",
            "javascript",
        ),
        (
            f"<svg {SVG}><linearGradient id='g' href='https://evil.example/x.svg#g'/>"
            "<rect width='1' height='1'/></svg>",
            "evil.example",
        ),
        (
            f"<svg {SVG}><image href='https://evil.example/t.png'/>"
            "<rect width='1' height='1'/></svg>",
            "evil",
        ),
        (
            f"<svg {SVG}><rect width='1' height='1' fill='url(https://evil.example/p)'/></svg>",
            "evil",
        ),
        (
            f"<svg {SVG}><rect width='1' height='1' style='fill:url(https://evil.example/p)'/></svg>",
            "evil",
        ),
        (
            f"<svg {SVG}><style>rect {{ fill: url(https://evil.example) }}</style>"
            "<rect width='1' height='1'/></svg>",
            "evil",
        ),
        (f"<svg {SVG}><use href='#a'/><rect width='1' height='1'/></svg>", "use"),
        (
            f"<svg {SVG}><rect width='1' height='1'/><?xml-stylesheet href='x.css'?></svg>",
            "stylesheet",
        ),
    ],
)
def test_hostile_parts_are_stripped(hostile: str, gone: str) -> None:
    clean = sanitize_svg(hostile)
    assert "<rect" in clean
    assert gone not in clean.replace("<rect", "")
    assert not re.search(r"\son\w+=", clean)


@pytest.mark.parametrize(
    "refused",
    [
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]>'
        f"<svg {SVG}><text>&x;</text></svg>",
        f'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg {SVG}/>',
        f"<svg {SVG}><text>&undefined;</text></svg>",
        "<html><body>not an svg</body></html>",
        "<svg><rect/></svg>",  # no SVG namespace: not an SVG to a browser either
        f"<svg {SVG}><rect>",
        "",
        b"\xff\xfe<svg/>",
    ],
)
def test_dtds_entities_and_non_svg_are_refused(refused: str | bytes) -> None:
    with pytest.raises(IconError):
        sanitize_svg(refused)


def test_oversized_icons_are_refused() -> None:
    padding = "<rect width='1' height='1'/>" * (ICON_MAX_BYTES // 20)
    with pytest.raises(IconError, match="bytes"):
        sanitize_svg(f"<svg {SVG}>{padding}</svg>")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(IconError, match="nested"):
        sanitize_svg(f"<svg {SVG}>" + "<g>" * 100 + "</g>" * 100 + "</svg>")


def test_monograms_use_the_titles_initials_and_a_colour_of_the_id() -> None:
    assert initials("Acme payments") == "AP"
    assert initials("cal.com") == "CC"
    assert initials("   ") == "?"
    one, other = monogram_svg("a", "Acme"), monogram_svg("b", "Acme")
    assert ">A</text>" in one and one != other  # same letter, different colour
    assert sanitize_svg(one)  # a monogram passes the same sanitiser
    hostile = monogram_svg("x", "<script>")
    assert "<script" not in hostile


def _host_with(svg: str | None, icon: str | None = None) -> PluginHost:
    from hookpoint import Verification, hookimpl

    class Plugin:
        @hookimpl
        def hookpoint_register_providers(self) -> list[ProviderInfo]:
            return [ProviderInfo(name="acme", title="Acme", icon=icon, icon_svg=svg)]

        @hookimpl
        def hookpoint_verify_request(
            self, provider: str, request: object, secrets: object
        ) -> object:
            return Verification.success() if provider == "acme" else None

    return PluginHost.load(plugins=[Plugin()], load_entrypoints=False)


def test_a_refused_provider_icon_is_logged_once_and_shows_a_monogram(
    caplog: pytest.LogCaptureFixture,
) -> None:
    icons = IconSet(_host_with(f"<!DOCTYPE svg><svg {SVG}/>"))
    assert icons.svg("acme") is None and icons.svg("acme") is None
    assert icons.provider_for("acme") is None
    assert sum("icon is not used" in r.getMessage() for r in caplog.records) == 1


def test_an_icon_name_is_a_provider_name_or_a_providers_icon_alias() -> None:
    icons = IconSet(_host_with(f"<svg {SVG}><rect width='1' height='1'/></svg>", icon="rocket"))
    assert icons.provider_for("acme") == "acme"
    assert icons.provider_for("rocket") == "acme"
    assert icons.provider_for("unknown") is None


def test_which_icon_an_endpoint_shows() -> None:
    hp = Hookpoint(id="icons")
    cal = hp.define_http_endpoint(id="cal", source="cal.com", provider="caldotcom", secrets=["s"])
    named = hp.define_http_endpoint(id="gh", source="x", icon="github", verify="none")
    alias = hp.define_http_endpoint(id="ms", source="x", icon="microsoft", verify="none")
    unknown = hp.define_http_endpoint(
        id="u", source="x", icon="nope", provider="caldotcom", secrets=["s"]
    )
    plain = hp.define_http_endpoint(id="p", source="x", verify="none")
    icons = IconSet(hp.plugins)
    assert icons.for_endpoint(cal) == "caldotcom"  # no icon=: the provider's
    assert icons.for_endpoint(named) == "github"
    assert icons.for_endpoint(alias) == "msgraph"
    assert icons.for_endpoint(unknown) is None  # an unknown icon: a monogram
    assert icons.for_endpoint(plain) is None


def test_read_icon_of_a_missing_file_is_none(caplog: pytest.LogCaptureFixture) -> None:
    assert read_icon("hookpoint", "no-such-icon.svg") is None
    assert "cannot be read" in caplog.text


@pytest.mark.parametrize("name", PROVIDERS)
def test_every_provider_ships_a_safe_icon_in_its_package(name: str) -> None:
    hp = Hookpoint(id="all")
    info = hp.plugins.providers[name]
    assert info.icon_svg is not None, f"{name}: ProviderInfo(icon_svg=read_icon(__name__))"
    assert (ROOT / "providers" / name / "src" / f"hookpoint_{name}" / "icon.svg").is_file()
    assert "<text" in sanitize_svg(info.icon_svg) or "<path" in sanitize_svg(info.icon_svg)
    # the wheel takes the whole package directory: nothing narrows it to Python files
    config = tomllib.loads((ROOT / "providers" / name / "pyproject.toml").read_text())
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == [f"src/hookpoint_{name}"]
    assert not {"only-include", "exclude", "include"} & set(wheel)


@pytest.mark.slow
def test_the_icon_is_in_the_built_wheel(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT / "providers" / "caldotcom"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    import zipfile

    (wheel,) = tmp_path.glob("hookpoint_caldotcom-*.whl")
    assert "hookpoint_caldotcom/icon.svg" in zipfile.ZipFile(wheel).namelist()
