"""``kasbah docs``: the repository's generated docs are current; generation on a fixture repository."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kasbah import cli
from kasbah.docs import COMMAND, run

SETTINGS = '''
from __future__ import annotations

from dataclasses import dataclass, field

from naming import DEFAULT_PREFIX


@dataclass
class Settings:
    prefix: str = DEFAULT_PREFIX
    """Short prefix of names. Default: ``kbh``."""
    buckets: int = 2
    """How many | buckets. Default: 2."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on everything. Default: none."""


OUTPUTS: dict[str, str] = {"bucketNames": "Names of the buckets."}
'''

MAIN = """
import pulumi
import pulumi_aws as aws
from components.settings import read_settings
from settings import Settings

s = read_settings(Settings)
names = [aws.s3.Bucket(f"{s.prefix}-{i}").bucket for i in range(s.buckets)]
pulumi.export("bucketNames", names)
"""

PROJECT = """
name: demo
runtime: python
description: Demo blueprint.
template:
  description: Demo.
  config:
    aws:region:
      default: eu-west-3
    kasbah:buckets:
      default: "3"
"""

README = """# demo

## Diagram

<!-- BEGIN GENERATED: diagram -->
<!-- END GENERATED: diagram -->

## Configuration

<!-- BEGIN GENERATED: config -->
stale text
<!-- END GENERATED: config -->

## Outputs

<!-- BEGIN GENERATED: outputs -->
<!-- END GENERATED: outputs -->

Hand-written notes stay.
"""


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    bp = tmp_path / "blueprints" / "demo"
    bp.mkdir(parents=True)
    (bp / "settings.py").write_text(textwrap.dedent(SETTINGS))
    (bp / "naming.py").write_text('DEFAULT_PREFIX = "kbh"\n')
    (bp / "__main__.py").write_text(textwrap.dedent(MAIN))
    (bp / "Pulumi.yaml").write_text(textwrap.dedent(PROJECT).lstrip())
    (bp / "README.md").write_text(README)
    return tmp_path


def test_generates_tables_and_diagram_then_is_current(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = root / "blueprints" / "demo" / "README.md"
    assert cli.main(["docs", "--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "blueprints/demo/README.md" in err and f"run `{COMMAND}`" in err, err
    assert readme.read_text() == README  # --check writes nothing

    assert cli.main(["docs", "--root", str(root)]) == 0
    text = readme.read_text()
    assert "stale text" not in text and "Hand-written notes stay." in text
    assert '| `kasbah:prefix` | string | `"kbh"` | Short prefix of names. Default: ``kbh``. |' in text, text
    assert "| `kasbah:buckets` | integer | `2` | How many \\| buckets. Default: 2. |" in text, text
    assert "| `kasbah:tags` | map of string | `{}` |" in text
    assert "| `bucketNames` | Names of the buckets. |" in text
    # The diagram is the offline preview with the template's defaults: 3 buckets, collapsed.
    assert "```mermaid\nflowchart LR" in text and "s3.Bucket \u00d73" in text, text
    assert not any(name.startswith("_kasbah_docs_settings_") for name in sys.modules)
    assert "naming" not in sys.modules, "a module the settings imported from the blueprint stays loaded"

    assert cli.main(["docs", "--check", "--root", str(root)]) == 0
    assert "current" in capsys.readouterr().out
    # Hand edits inside a generated block are stale again.
    readme.write_text(text.replace("Names of the buckets.", "edited"))
    assert run(root, check=True).stale == [readme]


def test_missing_markers_are_reported(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = root / "blueprints" / "demo" / "README.md"
    readme.write_text("# demo\n\nno markers\n")
    assert cli.main(["docs", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "missing the markers <!-- BEGIN GENERATED: config -->" in err and "GENERATED: outputs" in err, err
    assert "<!-- BEGIN GENERATED: diagram -->/<!-- END GENERATED: diagram -->" in err


def test_repository_docs_are_current() -> None:
    report = run(REPO_ROOT, check=True)
    stale = [p.relative_to(REPO_ROOT).as_posix() for p in report.stale]
    assert not stale and not report.problems, (
        f"generated docs are stale: {stale}; problems: {report.problems}. Run `{COMMAND}` and commit the result."
    )
