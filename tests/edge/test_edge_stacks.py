"""The casablanca-edge blueprint and its stacks: settings, policy previews, outputs, bad input (inventory snapshots: tests/test_stacks.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from components.aws.edge_plan import EdgeArgs, EdgeSpec
from components.settings import config_table_rows, parse_settings
from kasbah.engine import PreviewError, PreviewResult, preview

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "casablanca-edge"
STACKS = ROOT / "stacks"
EDGE_STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS.glob("Pulumi.edge-*.yaml")
)


def _settings_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("casablanca_edge_settings", BLUEPRINT / "settings.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SETTINGS = _settings_module()


@pytest.fixture(scope="module")
def previews() -> dict[str, PreviewResult]:
    return {stack: preview(ROOT, stack=stack) for stack in EDGE_STACKS}


def test_there_is_an_edge_dev_stack() -> None:
    assert "edge-dev" in EDGE_STACKS


def test_edge_dev_exports_the_blueprint_outputs(previews: dict[str, PreviewResult]) -> None:
    outputs = previews["edge-dev"].outputs
    # transitGatewayId is null (absent) with one zone and no landing-zone gateway.
    assert set(outputs) == set(SETTINGS.OUTPUTS) - {"transitGatewayId"}, sorted(outputs)
    assert list(outputs["zoneRouteTableIds"]) == ["eu-west-3-cmn-wlz-1a"]


def test_policy_config_disables_exactly_the_account_presence_checks() -> None:
    from policies.security_baseline.rules import POLICIES

    presence = {p.name for p in POLICIES if re.fullmatch(r"aws-account-[a-z0-9-]+-present", p.name)}
    assert presence, "no aws-account-*-present policy in the security-baseline pack"
    config = json.loads((STACKS / "edge-dev.policy.json").read_text())
    assert config == dict.fromkeys(sorted(presence), "disabled"), config


def test_without_the_policy_config_only_the_presence_checks_fire(previews: dict[str, PreviewResult]) -> None:
    bare = preview(ROOT, stack="edge-dev", policy_config={})
    config = json.loads((STACKS / "edge-dev.policy.json").read_text())
    assert {v.policy for v in bare.violations} == set(config), [(v.policy, v.urn) for v in bare.violations]
    assert not previews["edge-dev"].violations, [(v.policy, v.urn) for v in previews["edge-dev"].violations]


def test_blueprint_runs_standalone_as_a_template() -> None:
    res = preview(
        BLUEPRINT,
        stack="dev",
        config_file=STACKS / "Pulumi.edge-dev.yaml",
        policy_config=STACKS / "edge-dev.policy.json",
    )
    assert not res.violations, [(v.policy, v.urn) for v in res.violations]
    assert len(res.by_type("aws:ec2/carrierGateway:CarrierGateway")) == 1


def test_settings_are_the_component_spec_declared_once() -> None:
    keys = {f.name for f in dataclasses.fields(SETTINGS.Settings)}
    assert keys == {f.name for f in dataclasses.fields(EdgeSpec)} | {"prefix", "tags", "protect"}
    assert not vars(SETTINGS.Settings).get("__annotations__")  # the blueprint declares no key of its own
    assert SETTINGS.edge_args(SETTINGS.Settings()) == EdgeArgs()


def test_every_setting_is_documented_with_its_default() -> None:
    rows = config_table_rows(SETTINGS.Settings)
    keys = {r[0] for r in rows}
    assert {
        "kasbah:zones",
        "kasbah:zones[].instanceType",
        "kasbah:alb.certificateArn",
        "kasbah:eks.enabled",
    } <= keys
    for key, _type, _default, doc in rows:
        assert "Default" in doc, f"{key}: docstring does not state the default"


def test_stack_config_parses_and_validates() -> None:
    for stack in EDGE_STACKS:
        raw = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
        kasbah = {k.removeprefix("kasbah:"): v for k, v in raw.items() if k.startswith("kasbah:")}
        settings = parse_settings(SETTINGS.Settings, kasbah)
        plan = SETTINGS.validate(settings, raw["aws:region"])
        assert plan.region == "eu-west-3"


def _bad_stack(
    tmp_path: Path, change: dict[str, Any], zone_change: dict[str, Any] | None = None
) -> PreviewError:
    data = yaml.safe_load((STACKS / "Pulumi.edge-dev.yaml").read_text())
    data["config"].update(change)
    if zone_change:
        data["config"]["kasbah:zones"][0].update(zone_change)
    path = tmp_path / "Pulumi.edge-dev.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PreviewError) as info:
        preview(ROOT, stack="edge-dev", config_file=path, policy_packs=[])
    assert "\n" not in info.value.message
    return info.value


@pytest.mark.parametrize(
    ("change", "zone_change", "key"),
    [
        ({}, {"name": "eu-west-3b"}, "kasbah:zones[0].name:"),
        ({"aws:region": "eu-west-1"}, {}, "kasbah:zones[0].name and aws:region:"),
        ({}, {"ipv6": True}, "kasbah:zones[0].ipv6:"),
        ({}, {"instanceType": "m7i.large"}, "kasbah:zones[0].instanceType:"),
        ({}, {"dataClassification": "sensitive"}, "kasbah:zones[0].dataClassification:"),
        ({"kasbah:appPorts": [443, 22]}, {}, "kasbah:appPorts and kasbah:appSources:"),
        ({"kasbah:alb": {"enabled": True}}, {}, "kasbah:alb.enabled and kasbah:alb.certificateArn:"),
        ({"kasbah:zones": [{"name": "eu-west-3-cmn-wlz-1a", "ipv4": True}]}, {}, "kasbah:zones[0].ipv4:"),
    ],
)
def test_bad_stack_config_is_one_line_naming_the_key(
    tmp_path: Path, change: dict[str, Any], zone_change: dict[str, Any], key: str
) -> None:
    err = _bad_stack(tmp_path, change, zone_change)
    assert f"configuration error: {key}" in err.message, err.message


def test_blueprint_files_follow_the_conventions() -> None:
    project = yaml.safe_load((BLUEPRINT / "Pulumi.yaml").read_text())
    assert project["name"] == "casablanca-edge" and project["runtime"] == "python"
    assert "stackConfigDir" not in project
    assert "kasbah:zones" in project["template"]["config"]
    assert (BLUEPRINT / "requirements.txt").read_text().split() == ["kasbah"]
    readme = (BLUEPRINT / "README.md").read_text()
    for marker in ("config", "outputs"):
        assert (
            f"<!-- BEGIN GENERATED: {marker} -->" in readme and f"<!-- END GENERATED: {marker} -->" in readme
        )
    for fact in ("```mermaid", "9001", "1500", "1300", "pulumi destroy", "Cost notes", "handset"):
        assert fact in readme, fact
