"""Every stack of the root project previews offline with zero mandatory violations, and matches its snapshot."""

from __future__ import annotations

import difflib
import json

import pytest
from conftest import REPO_ROOT

from kasbah.engine import preview
from kasbah.inventory import REGENERATE, inventory, render, snapshot_path, stacks

STACKS = stacks()


def test_the_documented_stacks_exist() -> None:
    for name in ("aws-dev", "aws-prod", "azure-dev", "azure-prod", "edge-dev"):
        assert name in STACKS, f"stacks/Pulumi.{name}.yaml is missing"


@pytest.fixture(scope="module", params=STACKS)
def stack_preview(request):  # type: ignore[no-untyped-def]
    return preview(REPO_ROOT, request.param)


def test_stack_has_no_mandatory_violation(stack_preview) -> None:  # type: ignore[no-untyped-def]
    r = stack_preview
    assert len(r.resources) > 10, f"stack {r.stack} registered almost nothing"
    assert {p for p, _ in r.policy_packs} >= {"data-residency", "security-baseline", "deploy-readiness"}
    details = "\n".join(f"{v.pack}/{v.policy} {v.urn}: {v.message}" for v in r.mandatory)
    assert not r.mandatory, f"stack {r.stack}: {len(r.mandatory)} mandatory violation(s):\n{details}"


def test_stack_matches_its_inventory_snapshot(stack_preview) -> None:  # type: ignore[no-untyped-def]
    r = stack_preview
    path = snapshot_path(r.stack)
    assert path.exists(), f"no inventory snapshot for {r.stack}: create it with `{REGENERATE} {r.stack}`"
    expected = path.read_text()
    actual = render(inventory(r))
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(True), actual.splitlines(True), "snapshot", "preview"
                )
            )[:60]
        )
        pytest.fail(f"inventory of {r.stack} changed; if intended, run `{REGENERATE} {r.stack}`\n{diff}")
    assert json.loads(expected)["total"] == sum(1 for x in r.resources if x.type != "pulumi:pulumi:Stack")


def test_accepted_advisories_are_explained_in_the_blueprint_readme(stack_preview) -> None:  # type: ignore[no-untyped-def]
    import yaml

    r = stack_preview
    config = yaml.safe_load((REPO_ROOT / "stacks" / f"Pulumi.{r.stack}.yaml").read_text())["config"]
    readme = (REPO_ROOT / "blueprints" / config["kasbah:blueprint"] / "README.md").read_text()
    # deploy-readiness findings are not accepted: stacks must have none (tests/policies/test_deploy_readiness_stacks.py).
    unexplained = sorted(
        {
            v.policy
            for v in r.advisory
            if v.pack != "deploy-readiness" and (v.policy not in readme or r.stack not in readme)
        }
    )
    assert not unexplained, f"{r.stack}: advisories not explained in the blueprint README: {unexplained}"
