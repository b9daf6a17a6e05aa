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


def test_default_graph_reads_on_one_screen(stack_preview) -> None:  # type: ignore[no-untyped-def]
    from kasbah.graph import MAX_NODES, _count_nodes, build_graph

    nodes = _count_nodes(build_graph(stack_preview).groups)
    assert 0 < nodes <= MAX_NODES, (
        f"{stack_preview.stack}: the default graph has {nodes} nodes (> {MAX_NODES})"
    )


def test_every_resource_knows_the_line_that_created_it(stack_preview) -> None:  # type: ignore[no-untyped-def]
    r = stack_preview
    lines: dict[str, int] = {}
    missing = []
    for res in r.resources:
        if res.type == "pulumi:pulumi:Stack" or res.name.startswith("default"):
            continue  # the stack and default providers are the engine's, not the program's
        if res.source is None:
            missing.append(res.urn)
            continue
        path = REPO_ROOT / res.source.file
        if res.source.file not in lines:
            lines[res.source.file] = len(path.read_text().splitlines())
        assert 1 <= res.source.line <= lines[res.source.file], res
        assert not res.source.file.startswith(("kasbah/", ".venv/")), res
    assert not missing, f"{r.stack}: no source position for {missing[:5]}"


def test_counts_agree_across_formats(stack_preview) -> None:  # type: ignore[no-untyped-def]
    from kasbah.report import FleetReport, from_result, render_fleet

    fleet = FleetReport([from_result(stack_preview, stack_file=f"stacks/Pulumi.{stack_preview.stack}.yaml")])
    data = json.loads(render_fleet(fleet, "json"))
    n, m, a = data["summary"]["resources"], data["summary"]["mandatory"], data["summary"]["advisory"]
    assert (
        render_fleet(fleet, "text")
        .rstrip()
        .splitlines()[-1]
        .startswith(f"{n} resources, {m} mandatory violation(s), {a} advisory")
    )
    assert f"**{n}** resources · **{m}** mandatory · **{a}** advisory" in render_fleet(fleet, "markdown")
    sarif = json.loads(render_fleet(fleet, "sarif"))
    (run,) = sarif["runs"]
    assert run["properties"]["summary"]["resources"] == n
    assert sum(1 for x in run["results"] if x["level"] == "error") == m
