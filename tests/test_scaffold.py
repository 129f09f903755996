"""``hookpoint new-provider``: the scaffolded package lints, type-checks, installs with
``pip install -e``, registers, is listed by ``hookpoint plugins`` and passes the conformance
suite unchanged.

The install goes into a throwaway virtual environment layered over this one (a ``.pth`` file adds
this environment's site-packages), so the development environment is never changed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookpoint._scaffold import (
    FILES,
    ScaffoldError,
    check_name,
    new_provider,
    render_provider,
    scaffold_provider,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


# -- names and files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["acme", "acme_cloud", "a1", "x" * 30])
def test_valid_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Acme",
        "1acme",
        "acme-cloud",
        "acme.io",
        "_acme",
        "acme_",
        "ac__me",
        "x" * 31,
        "acmé",
        "acme ",
        "../acme",
    ],
)
def test_invalid_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="invalid provider name"):
        scaffold_provider(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_invalid_titles_are_refused() -> None:
    for title in ['Acme "Cloud"', "Acme\nCloud", "Acme\\", "x" * 41]:
        with pytest.raises(ScaffoldError, match="invalid title"):
            render_provider("acme", title=title)


def test_files_and_names(tmp_path: Path) -> None:
    root = scaffold_provider("acme_cloud", tmp_path / "providers", title="Acme Cloud")
    assert root == tmp_path / "providers" / "acme_cloud"
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert written == sorted(
        [
            "pyproject.toml",
            "README.md",
            "CHANGELOG.md",
            "src/hookpoint_acme_cloud/__init__.py",
            "src/hookpoint_acme_cloud/py.typed",
            "src/hookpoint_acme_cloud/icon.svg",
            "tests/test_acme_cloud_conformance.py",
        ]
    )
    icon = (root / "src/hookpoint_acme_cloud/icon.svg").read_text()
    assert ">A</text>" in icon and "__" not in icon
    pyproject = (root / "pyproject.toml").read_text()
    assert 'name = "hookpoint-acme-cloud"' in pyproject
    entry_point = 'acme_cloud = "hookpoint_acme_cloud:PLUGIN"'
    assert f"[project.entry-points.hookpoint]\n{entry_point}" in pyproject
    assert '"hookpoint>=0.1,<0.2"' in pyproject
    module = (root / "src/hookpoint_acme_cloud/__init__.py").read_text()
    assert 'SIGNATURE_HEADER = "X-Acme-Cloud-Signature"' in module
    assert "class AcmeCloudSettings(ProviderSettings)" in module and 'title="Acme Cloud"' in module
    assert "__NAME__" not in module and "__CLASS__" not in module
    assert "icon_svg=read_icon(__name__)" in module


def test_never_overwrites(tmp_path: Path) -> None:
    scaffold_provider("acme", tmp_path)
    marker = tmp_path / "acme" / "README.md"
    marker.write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_provider("acme", tmp_path)
    assert marker.read_text() == "mine"


def test_cli_command(tmp_path: Path) -> None:
    runner = CliRunner()
    dest = tmp_path / "providers"
    result = runner.invoke(new_provider, ["acme", "--dest", str(dest), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["distribution"] == "hookpoint-acme" and data["path"] == str(dest / "acme")
    assert len(data["files"]) == len(FILES)
    again = runner.invoke(new_provider, ["acme", "--dest", str(dest)])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(new_provider, ["Acme", "--dest", str(dest)])
    assert bad.exit_code == 2 and "invalid provider name" in bad.output
    assert "Invalid value for NAME:" in bad.output  # the message names the argument at fault
    bad_title = runner.invoke(new_provider, ["acme2", "--dest", str(dest), "--title", "<b>"])
    assert bad_title.exit_code == 2 and "Invalid value for --title: invalid title" in (
        bad_title.output
    )
    taken = runner.invoke(new_provider, ["caldotcom", "--dest", str(dest)])
    assert taken.exit_code == 1 and "already provided by hookpoint-caldotcom" in taken.output
    assert sorted(p.name for p in dest.iterdir()) == ["acme"]
    human = runner.invoke(new_provider, ["other", "--dest", str(dest)])
    assert human.exit_code == 0 and "pip install -e" in human.output


def test_the_generated_code_lints_and_type_checks(tmp_path: Path) -> None:
    for name, title in (("acme", None), ("a" * 10 + "_" + "b" * 19, "T" * 40)):
        root = scaffold_provider(name, tmp_path, title=title)
        bin_dir = Path(sys.executable).parent
        for command in (
            [str(bin_dir / "ruff"), "check", "--config", str(CONFIG), str(root)],
            [str(bin_dir / "ruff"), "format", "--check", "--config", str(CONFIG), str(root)],
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--config-file",
                str(CONFIG),
                str(root / "src"),
            ],
        ):
            done = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
            )
            assert done.returncode == 0, f"{command[0]}: {done.stdout}{done.stderr}"


# -- install, register, list, conform --------------------------------------------------------------


def _layered_venv(path: Path) -> Path:
    """A venv whose interpreter also sees this environment's packages (through a .pth file)."""
    venv.create(path, with_pip=False, symlinks=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "_hookpoint_dev_env.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    return python


@pytest.mark.slow
def test_new_provider_installs_registers_and_passes_the_conformance_suite(
    tmp_path: Path,
) -> None:
    name = "scaffoldprobe"
    dest = tmp_path / "providers"
    result = CliRunner().invoke(new_provider, [name, "--dest", str(dest)])
    assert result.exit_code == 0, result.output
    root = dest / name
    python = _layered_venv(tmp_path / "venv")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HOOKPOINT_LOAD_PLUGINS", "HOOKPOINT_DISABLE_PLUGINS", "PYTHONPATH")
    }
    env["HOOKPOINT_STRICT_PLUGINS"] = "1"

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    # pip install -e (offline when hatchling is already installed here)
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    installed = run("-m", "pip", "install", "--quiet", "--no-deps", *isolation, "-e", str(root))
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = run("-m", "hookpoint.cli", "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["distribution"]: r for r in json.loads(listed.stdout)}
    row = rows[f"hookpoint-{name}"]
    assert row["providers"] == [name] and row["error"] is None
    assert row["entry_point"] == f"{name} = hookpoint_{name}:PLUGIN"
    assert row["hooks"] == [  # no handshake: no challenge hook registered
        "hookpoint_describe_event",
        "hookpoint_register_providers",
        "hookpoint_sign_request",
        "hookpoint_verify_request",
    ]

    tests = run(
        "-m",
        "pytest",
        "-c",
        str(CONFIG),
        "--rootdir",
        str(root),
        "-p",
        "no:cacheprovider",
        "-q",
        str(root / "tests"),
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    # the provider works in a real app: a signed sample is verified end to end
    app = tmp_path / "probe_app.py"
    app.write_text(
        "from hookpoint import Hookpoint\n"
        "from hookpoint.testing import sign_sample\n"
        f"hp = Hookpoint(id='probe')\n"
        f"ep = hp.define_http_endpoint(id='p', source='x', provider={name!r}, secrets=['s3'])\n"
        f"signed = sign_sample(hp.plugins, {name!r}, 'order_created', secret='s3')\n"
        f"print(bool(hp.plugins.verify({name!r}, signed, ep.settings, ['s3'], 0.0)))\n"
    )
    used = run(str(app))
    assert used.returncode == 0 and used.stdout.strip() == "True", used.stdout + used.stderr
