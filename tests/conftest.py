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
