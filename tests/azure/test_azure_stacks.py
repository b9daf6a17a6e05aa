"""The azure-landing-zone blueprint: bad input fails in one line naming the key, before any resource;
each Azure stack previews with zero mandatory violations from both policy packs."""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.azure import policy_library as pl
from components.errors import ConfigError
from components.settings import parse_settings
from kasbah.engine import PreviewError, preview

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = REPO / "blueprints" / "azure-landing-zone"


def _settings_module() -> Any:
    spec = importlib.util.spec_from_file_location("azure_lz_settings", BLUEPRINT / "settings.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["azure_lz_settings"] = mod  # dataclasses and get_type_hints look the module up
    spec.loader.exec_module(mod)
    return mod


S = _settings_module()


def _stack_config(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.removeprefix("kasbah:"): v for k, v in data.items() if k.startswith("kasbah:")}


def _validate(raw: dict[str, Any]) -> Any:
    return S.validate(parse_settings(S.Settings, raw))


PROD = _stack_config("azure-prod")


def test_the_stacks_settings_are_valid() -> None:
    for stack in ("azure-dev", "azure-prod"):
        plan = _validate(_stack_config(stack))
        assert len(plan.spoke_cidrs) == len(_stack_config(stack).get("landingZones", [])), stack
    dev = _validate(_stack_config("azure-dev"))
    assert [g.value for g in dev.placements.values()] == ["connectivity"], (
        "dev's one subscription goes under Connectivity"
    )
    prod = _validate(PROD)
    assert [g.value for g in prod.placements.values()] == [
        "connectivity",
        "management",
        "identity",
        "corp",
        "online",
    ]


def _bad(mutate: Any) -> ConfigError:
    raw = copy.deepcopy(PROD)
    mutate(raw)
    with pytest.raises(ConfigError) as err:
        _validate(raw)
    line = str(err.value)
    assert "\n" not in line and "Fix:" in line, line
    return err.value


def test_overlapping_address_spaces_name_both_keys() -> None:
    def overlap(raw: dict[str, Any]) -> None:
        raw["landingZones"][0]["cidr"] = "10.101.0.0/24"
        raw["landingZones"][1]["cidr"] = "10.101.0.128/25"

    err = _bad(overlap)
    assert err.key == "kasbah:landingZones[0].cidr and kasbah:landingZones[1].cidr", err.key

    def on_hub(raw: dict[str, Any]) -> None:
        raw["landingZones"][0]["cidr"] = "10.100.2.0/24"

    err = _bad(on_hub)
    assert "kasbah:hubCidr" in err.key and "kasbah:landingZones[0].cidr" in err.key, err.key


def test_location_outside_the_approved_list() -> None:
    err = _bad(lambda raw: raw.update(location="eastus"))
    assert err.key == "kasbah:location", err.key


def test_malformed_subscription_id() -> None:
    err = _bad(lambda raw: raw["subscriptions"].update(identity="not-a-guid"))
    assert err.key == "kasbah:subscriptions.identity", err.key
    err = _bad(lambda raw: raw["landingZones"][1].update(subscriptionId="1234"))
    assert err.key == "kasbah:landingZones[1].subscriptionId", err.key


def test_invalid_management_group_id() -> None:
    err = _bad(lambda raw: raw.update(rootId="kbh/root"))
    assert err.key == "kasbah:rootId", err.key
    err = _bad(lambda raw: raw.update(rootId="r" * 80))
    assert err.key == "kasbah:rootId" and "90" in str(err), str(err)


def test_exemption_without_expiry() -> None:
    def no_expiry(raw: dict[str, Any]) -> None:
        raw["exemptions"] = [
            {"assignment": "kbh-deny-pip-corp", "scope": "/subscriptions/x", "reason": "legacy"}
        ]

    err = _bad(no_expiry)
    assert err.key == "kasbah:exemptions[0].expires", err.key


def test_unknown_policy_switch() -> None:
    err = _bad(lambda raw: raw.update(policies={"kbh-deny-pip-cor": {"enabled": False}}))
    assert err.key == "kasbah:policies.kbh-deny-pip-cor" and "kbh-deny-pip-corp" in str(err), str(err)
    err = _bad(lambda raw: raw.update(policies={"deny-public-ip-corp": {"enabled": False}}))
    assert "renamed to 'kbh-deny-pip-corp'" in str(err), str(err)
    err = _bad(
        lambda raw: raw.update(policies={"kbh-allowed-locs": {"parameters": {"listOfAllowedLocations": "x"}}})
    )
    assert err.key == "kasbah:policies.kbh-allowed-locs.parameters.listOfAllowedLocations", err.key
    err = _bad(lambda raw: raw.update(policyLibrary=["/nonexistent/library"]))
    assert err.key == "kasbah:policyLibrary" and "is not a directory" in str(err), str(err)


def test_owners_are_principals_with_a_known_role() -> None:
    def bad_role(raw: dict[str, Any]) -> None:
        raw["landingZones"][0]["owners"] = [
            {"principalId": "9d2c4b6a-1e3f-4a5b-8c7d-0e1f2a3b4c01", "role": "Application-Owners"}
        ]

    err = _bad(bad_role)
    assert err.key == "kasbah:landingZones[0].owners[0].role" and "Network-Subnet-Contributor" in str(err), (
        str(err)
    )

    def bad_id(raw: dict[str, Any]) -> None:
        raw["landingZones"][0]["owners"] = [{"principalId": "team-erp"}]

    assert _bad(bad_id).key == "kasbah:landingZones[0].owners[0].principalId"


def test_sentinel_with_a_cap_names_both_keys() -> None:
    err = _bad(lambda raw: raw.update(logDailyCapGb=20))
    assert err.key == "kasbah:logDailyCapGb and kasbah:sentinel", err.key


def test_security_contacts_need_an_address() -> None:
    err = _bad(lambda raw: raw.update(alertEmails=[]))
    assert err.key == "kasbah:policies.Deploy-MDFC-Config-H224" and "kasbah:alertEmails" in str(err), str(err)


def test_create_mode_makes_one_watcher_per_subscription(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.azure-dev.yaml").read_text())
    data["config"]["kasbah:networkWatcher"] = "create"
    path = tmp_path / "Pulumi.azure-dev.yaml"
    path.write_text(yaml.safe_dump(data))
    r = preview(REPO, "azure-dev", config_file=path, policy_packs=[])
    (w,) = r.by_type("azure-native:network:NetworkWatcher")  # hub and spoke share the subscription
    for f in r.by_type("azure-native:network:FlowLog"):
        assert w.urn in f.dependencies, f.urn


def test_bad_input_fails_the_preview_in_one_line(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.azure-dev.yaml").read_text())
    data["config"]["kasbah:location"] = "eastus"
    bad = tmp_path / "Pulumi.azure-dev.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(PreviewError) as err:
        preview(REPO, "azure-dev", config_file=bad, policy_packs=[])
    assert "\n" not in err.value.message and "kasbah:location: " in err.value.message, err.value.message


@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_stack_assigns_the_baseline_and_routes_to_the_firewall(stack: str) -> None:
    # Zero mandatory violations for every stack is tests/test_stacks.py's job.
    r = preview(REPO, stack, policy_packs=[])
    lib = pl.load_library()
    per_group = sum(len(lib.archetypes[pl.ARCHETYPE_OF[g]].policy_assignments) for g in pl.Group)
    zones = len(_stack_config(stack).get("landingZones", []))
    assert len(r.by_type("azure-native:authorization:PolicyAssignment")) == per_group + zones, stack
    assert r.outputs["firewallPrivateIp"] == "10.100.0.4", stack


def test_landing_zones_whose_unique_names_collide() -> None:
    def same_start(raw: dict[str, Any]) -> None:
        sub = raw["landingZones"][0]["subscriptionId"]
        raw["landingZones"][1].update(name="erpnextgen-prod", subscriptionId=sub)
        raw["landingZones"][0]["name"] = "erpnextgen-dev"

    err = _bad(same_start)
    assert err.key == "kasbah:landingZones[0].name and kasbah:landingZones[1].name", err.key


@pytest.mark.parametrize("stack", ["azure-dev", "azure-prod"])
def test_stack_has_no_deploy_readiness_finding(stack: str) -> None:
    """Issue 12, "Done when": the deploy-readiness pack finds nothing (cloud-created resources,
    unordered gateway-transit peerings, out-of-window budget dates, names without a dependency path)."""
    r = preview(REPO, stack)
    assert "deploy-readiness" in {p for p, _ in r.policy_packs}
    mine = [v for v in r.violations if v.pack == "deploy-readiness"]
    assert not mine, "\n".join(f"{v.policy} {v.urn}: {v.message}" for v in mine)
    assert not [v for v in r.violations if v.enforcement == "mandatory"], stack
