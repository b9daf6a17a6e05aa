"""Every Pulumi.yaml in the repository validates against Pulumi's own project schema."""

from __future__ import annotations

import jsonschema
import pytest
import yaml
from conftest import REPO_ROOT, load_schema

FILES = sorted(p for p in REPO_ROOT.rglob("Pulumi.yaml") if ".venv" not in p.parts)


def test_there_are_projects_to_check() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in FILES}
    assert "Pulumi.yaml" in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_project_file_is_valid(path) -> None:  # type: ignore[no-untyped-def]
    schema = load_schema("pulumi-project.schema.json")
    jsonschema.validate(yaml.safe_load(path.read_text()), schema)
