"""Shared test helpers: repository paths and the schemas carried as test data (tests/data/schemas)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Imported first on purpose: importing hypothesis late, inside pytest's terminal summary, can hit a
# CPython 3.11.7 bug ("AST constructor recursion depth mismatch") and fail an otherwise green run.
import hypothesis  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PROJECTS = FIXTURES / "projects"
SCHEMAS = REPO_ROOT / "tests" / "data" / "schemas"
"""Official schemas, carried with their source, version and licence (tests/data/schemas/README.md)."""


def load_schema(name: str) -> Any:
    """One schema of tests/data/schemas: tests never read anything outside the repository."""
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def check_program_snapshot(name: str, bare: Any, with_packs: Any) -> dict[str, Any]:
    """A realistic program's preview (without and with packs) against tests/snapshots/programs/<name>.json."""
    import difflib

    import pytest

    from kasbah.inventory import REGENERATE, program_inventory, program_snapshot_path, render

    path = program_snapshot_path(name)
    assert path.exists(), f"no snapshot for program {name}: create it with `{REGENERATE} {name}`"
    expected = path.read_text()
    actual = render(program_inventory(bare, with_packs))
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True)))[:60])
        pytest.fail(f"program {name} changed; if intended, run `{REGENERATE} {name}`\n{diff}")
    data: dict[str, Any] = json.loads(expected)
    return data
