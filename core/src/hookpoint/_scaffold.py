"""``hookpoint new-provider NAME``: scaffold a provider plugin package.

The package it writes (``providers/<name>/``) installs, registers itself through the
``hookpoint`` entry-point group, and passes the conformance suite of :mod:`hookpoint.testing`
unchanged::

    hookpoint new-provider acme
    pip install -e providers/acme
    pytest providers/acme
    hookpoint plugins            # lists hookpoint-acme, provider acme

The file templates live in ``templates/new_provider/`` inside the ``hookpoint`` package;
``docs/writing-a-provider.md`` walks through what they produce (a test keeps the two equal).
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from pathlib import Path

import click

__all__ = ["FILES", "ScaffoldError", "new_provider", "render_provider", "scaffold_provider"]

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
TITLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .'+-]{0,39}$")

FILES: dict[str, str] = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "CHANGELOG.md": "CHANGELOG.md.tmpl",
    "src/{module}/__init__.py": "__init__.py.tmpl",
    "src/{module}/py.typed": "",
    "src/{module}/icon.svg": "icon.svg.tmpl",
    "tests/test_{name}_conformance.py": "test_conformance.py.tmpl",
}
"""Path in the package (``{name}``/``{module}`` filled in) → template file ("" = empty file)."""


class ScaffoldError(ValueError):
    """The name is not usable or the package directory already exists."""


def check_name(name: str) -> str:
    """``name`` when it is a usable provider name: a lowercase identifier (``a-z``, ``0-9``,
    ``_``; starting with a letter; at most 30 characters)."""
    if not isinstance(name, str) or not NAME_RE.match(name) or name.endswith("_") or "__" in name:
        raise ScaffoldError(
            f"invalid provider name {name!r}: use a lowercase identifier such as 'acme' or "
            "'acme_cloud' (letters, digits and single underscores, starting with a letter, "
            "at most 30 characters)"
        )
    return name


def _requirement() -> str:
    from . import __version__

    major, minor = (int(x) for x in __version__.split(".")[:2])
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"hookpoint>={major}.{minor},<{upper}"


def render_provider(name: str, *, title: str | None = None) -> dict[str, str]:
    """The files of the package for provider ``name``: ``{relative path: text}``."""
    check_name(name)
    parts = name.split("_")
    title = title.strip() if title and title.strip() else " ".join(p.capitalize() for p in parts)
    if not TITLE_RE.match(title):
        raise ScaffoldError(
            f"invalid title {title!r}: use at most 40 letters, digits, spaces and . ' + -"
        )
    values = {
        "__NAME__": name,
        "__TITLE__": title,
        "__MODULE__": f"hookpoint_{name}",
        "__DIST__": "hookpoint-" + name.replace("_", "-"),
        "__CLASS__": "".join(p.capitalize() for p in parts),
        "__HEADER__": "X-" + "-".join(p.capitalize() for p in parts) + "-Signature",
        "__ENV__": f"{name.upper()}_SECRET",
        "__REQUIREMENT__": _requirement(),
        "__INITIAL__": title[0].upper(),
    }
    templates = resources.files("hookpoint").joinpath("templates", "new_provider")
    files: dict[str, str] = {}
    for target, template in FILES.items():
        text = templates.joinpath(template).read_text("utf-8") if template else ""
        for token, value in values.items():
            text = text.replace(token, value)
        files[target.format(name=name, module=values["__MODULE__"])] = text
    return files


def scaffold_provider(name: str, dest: Path, *, title: str | None = None) -> Path:
    """Write the package for provider ``name`` to ``dest/<name>/`` and return that directory.

    :raises ScaffoldError: for an invalid name or when ``dest/<name>`` already exists (nothing
        is ever overwritten).
    """
    files = render_provider(name, title=title)
    root = Path(dest) / name
    if root.exists():
        raise ScaffoldError(f"{root} already exists: refusing to overwrite it")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    return root


def _installed_owner(name: str) -> str | None:
    """The distribution (or plugin) that already provides ``name`` in this environment."""
    from ._plugins import PluginHost

    try:
        host = PluginHost.load()
    except Exception:  # a broken environment must not stop scaffolding
        return None
    if name not in host.providers:
        return None
    record = host.provider_record(name)
    return record.distribution or record.name or "a built-in plugin"


@click.command("new-provider")
@click.argument("name")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("providers"),
    show_default=True,
    help="Directory the package is created in (as DEST/NAME).",
)
@click.option("--title", default=None, help="The sender's display name [NAME capitalised].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def new_provider(name: str, dest: Path, title: str | None, as_json: bool) -> None:
    """Scaffold a provider plugin package for NAME (a lowercase identifier) in DEST/NAME.

    It installs with pip, registers through the 'hookpoint' entry-point group, and passes the
    hookpoint.testing conformance suite unchanged.
    """
    try:
        check_name(name)
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    try:
        render_provider(name, title=title)
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc), param_hint="--title") from None
    owner = _installed_owner(name)
    dist = "hookpoint-" + name.replace("_", "-")
    if owner is not None:
        click.secho(
            f"Error: provider {name!r} is already provided by {owner} in this "
            "environment; two plugins cannot serve one provider name. Choose another "
            "name.",
            fg="red",
            err=True,
        )
        sys.exit(1)
    try:
        root = scaffold_provider(name, dest, title=title)
    except ScaffoldError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    except OSError as exc:
        click.secho(f"Error: cannot write the package: {exc}", fg="red", err=True)
        sys.exit(1)
    written = sorted(str(p) for p in root.rglob("*") if p.is_file())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "provider": name,
                    "distribution": dist,
                    "module": f"hookpoint_{name}",
                    "path": str(root),
                    "files": written,
                },
                indent=2,
            )
        )
        return
    click.secho(f"Created {root} ({dist}, provider {name!r}):", bold=True)
    for path in written:
        click.echo(f"  {path}")
    click.echo("\nNext:")
    click.echo(f"  pip install -e {root}")
    click.echo(f"  pytest {root}")
    click.echo("  hookpoint plugins")
    click.echo(
        f"Then edit {root}/src/hookpoint_{name}/__init__.py to match how the sender "
        "signs and describes its deliveries."
    )
