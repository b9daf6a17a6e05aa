"""The policy-pack configuration examples in the docs are real: real policy ids, one pack per file, valid."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kasbah.analysis import discover_packs, load_pack

REPO = Path(__file__).resolve().parents[2]
DOCS = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    *REPO.glob("policies/*/README.md"),
    *REPO.glob("docs/*.md"),
]
PACKS = {
    pack.name: {p.name: p for p in pack.policies}
    for pack in map(load_pack, discover_packs(REPO / "policies"))
}
LEVELS = {"advisory", "mandatory", "remediate", "disabled"}


def _is_policy_config(block: Any) -> bool:
    """A JSON object keyed by kebab-case names whose entries are enforcement levels or objects."""
    return (
        isinstance(block, dict)
        and bool(block)
        and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k) for k in block)
        and all(isinstance(v, dict) or v in LEVELS for v in block.values())
    )


def _examples() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for i, match in enumerate(re.finditer(r"```json\n(.*?)```", text, re.S)):
            block = json.loads(match.group(1))
            if _is_policy_config(block):
                found.append((f"{doc.relative_to(REPO)}#{i}", block))
    return found


EXAMPLES = _examples()


def test_the_docs_have_policy_config_examples() -> None:
    assert {name.split("#")[0] for name, _ in EXAMPLES} >= {"README.md", "policies/data_residency/README.md"}


@pytest.mark.parametrize(("where", "example"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_configures_one_pack_with_real_ids_and_valid_properties(
    where: str, example: dict[str, Any]
) -> None:
    keys = set(example) - {"all"}
    packs = [name for name, policies in PACKS.items() if keys <= set(policies)]
    assert len(packs) == 1, f"{where}: {sorted(keys)} are not all policies of one pack"
    policies = PACKS[packs[0]]
    for policy_id, entry in example.items():
        if policy_id == "all" or not isinstance(entry, dict):
            continue
        properties = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        schema = {"type": "object", "properties": policies[policy_id].config_schema.properties}
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = [e.message for e in validator.iter_errors(properties)]
        assert not errors, f"{where}: {policy_id}: {errors}"
        unknown = set(properties) - set(schema["properties"])
        assert not unknown, f"{where}: {policy_id}: unknown keys {sorted(unknown)}"
        assert entry.get("enforcementLevel", "advisory") in LEVELS, f"{where}: {policy_id}"
