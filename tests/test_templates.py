"""``kasbah new``: a blueprint copied as a standalone project, then previewed from a fresh install.

The unit tests copy a small fixture template. The end-to-end test (slow: it builds the wheel once and
installs it with its dependencies into ONE fresh virtual environment) copies every blueprint of the
repository with that environment's ``kasbah new`` to a temporary directory outside the repository and
runs that environment's ``kasbah preview`` on each copy: zero mandatory violations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO_ROOT, load_schema

from kasbah import __version__, cli
from kasbah.catalog import blueprints
from kasbah.templates import new_project, parse_assignments, requirements_text

TEMPLATE = """\
name: fixture-template
runtime: python
description: A fixture template.
template:
  description: Fixture.
  config:
    aws:region:
      description: Region.
      default: eu-west-3
    kasbah:prefix:
      description: Prefix.
      default: kbh
    kasbah:owner:
      description: Owner (no default).
"""


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    src = tmp_path / "tpl"
    (src / "__pycache__").mkdir(parents=True)
    (src / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (src / "Pulumi.yaml").write_text(TEMPLATE)
    (src / "Pulumi.leftover.yaml").write_text("config: {}\n")
    (src / "__main__.py").write_text("import pulumi\n")
    (src / "requirements.txt").write_text("kasbah\nrequests>=2\n")
    return src


def test_new_copies_substitutes_and_writes_the_stack(template: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "my-proj"
    stack_file = new_project(
        template, dest, config=["owner=team-a", "kasbah:prefix=acme", "aws:region=eu-south-2"]
    )
    assert stack_file == dest / "Pulumi.dev.yaml"
    project = yaml.safe_load((dest / "Pulumi.yaml").read_text())
    assert project["name"] == "my-proj"
    assert "template" not in project
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    jsonschema.validate(project, load_schema("pulumi-project.schema.json"))
    assert yaml.safe_load(stack_file.read_text()) == {
        "config": {"aws:region": "eu-south-2", "kasbah:prefix": "acme", "kasbah:owner": "team-a"}
    }
    assert sorted(p.name for p in dest.iterdir()) == [
        ".gitignore",
        "Pulumi.dev.yaml",
        "Pulumi.yaml",
        "__main__.py",
        "requirements.txt",
    ]
    req = (dest / "requirements.txt").read_text().splitlines()
    assert f"kasbah=={__version__}" in req and "requests>=2" in req and "kasbah" not in req, req
    assert any("kasbah @ git+" in line and line.startswith("#") for line in req), req


def test_new_errors_are_one_line(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "p"
    assert cli.main(["new", str(template), str(dest)]) == 2
    err = capsys.readouterr().err
    assert "no value for kasbah:owner" in err and "--config" in err and "Traceback" not in err, err
    assert not dest.exists()
    assert cli.main(["new", "no-such-blueprint", str(dest)]) == 2
    assert "unknown blueprint 'no-such-blueprint'" in capsys.readouterr().err
    dest.mkdir()
    (dest / "keep").write_text("x")
    assert cli.main(["new", str(template), str(dest), "-c", "owner=x"]) == 2
    assert "not empty" in capsys.readouterr().err
    with pytest.raises(Exception, match="expected key=value"):
        parse_assignments(["novalue"])


def test_requirements_pin_replaces_only_kasbah() -> None:
    text = requirements_text("kasbah\nkasbah-extras==1\n# comment\n", "9.9.9")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["kasbah==9.9.9", "kasbah-extras==1"], text


# --------------------------------------------------------------------------------------------------
# End to end, from the built wheel in a fresh virtual environment


def _source_copy(dest: Path) -> Path:
    """The repository's files (tracked and new, not ignored) copied out, so the build leaves no trace."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in files:
        if not raw:
            continue
        rel = Path(raw.decode())
        src = REPO_ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _run(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_every_blueprint_copied_from_the_wheel_previews_clean(tmp_path: Path) -> None:
    names = [b.name for b in blueprints(REPO_ROOT)]
    assert names, "no blueprint found under blueprints/"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["KASBAH_QUIET_TRACEBACK"] = "0"

    source = _source_copy(tmp_path / "src")
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
        tmp_path,
        env,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("kasbah-*.whl")

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    bindir = venv / "bin"
    installed = _run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)], tmp_path, env
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    where = _run(
        [str(bindir / "python"), "-c", "import kasbah; print(kasbah.__file__, kasbah.__version__)"],
        tmp_path,
        env,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    version = where.stdout.split()[1]

    work = tmp_path / "copies"
    for name in names:
        dest = work / name
        made = _run(
            [str(bindir / "kasbah"), "new", name, str(dest), "--name", f"acme-{name}"], work.parent, env
        )
        assert made.returncode == 0, f"kasbah new {name}: {made.stderr[-3000:]}"
        assert f"kasbah=={version}" in (dest / "requirements.txt").read_text().splitlines()
        assert yaml.safe_load((dest / "Pulumi.yaml").read_text())["name"] == f"acme-{name}"
        shown = _run([str(bindir / "kasbah"), "preview", "--stack", "dev", "--format", "json"], dest, env)
        assert shown.returncode == 0, (
            f"kasbah preview of the copy of {name}: {shown.stdout[-3000:]}{shown.stderr[-3000:]}"
        )
        report = json.loads(shown.stdout)
        assert report["summary"]["mandatory"] == 0, [
            v for v in report["violations"] if v["enforcement"] == "mandatory"
        ]
        assert report["project"] == f"acme-{name}" and report["summary"]["resources"] > 1, report["summary"]
        assert {p["name"] for p in report["policy_packs"]}, f"no policy pack ran on the copy of {name}"
