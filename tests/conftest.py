"""Shared test helpers: repository paths and the shared/ schemas (read relative to the repository root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Imported first on purpose: importing hypothesis late, inside pytest's terminal summary, can hit a
# CPython 3.11.7 bug ("AST constructor recursion depth mismatch") and fail an otherwise green run.
import hypothesis  # noqa: F401
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PROJECTS = FIXTURES / "projects"
SHARED = REPO_ROOT.parent / "shared"


def shared_file(relative: str) -> Path:
    """A file of ../shared; fails (never skips) with a clear message when it is missing."""
    path = SHARED / relative
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the tests need ../shared beside the repository (see ../shared/README.md)"
        )
    return path


def load_shared_json(relative: str) -> Any:
    return json.loads(shared_file(relative).read_text())
