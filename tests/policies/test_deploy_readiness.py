"""The deploy-readiness pack: its policy list, metadata and data, and its pass and fail fixtures."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import deploy_readiness_fixtures as fx
import deploy_readiness_gcp_fixtures as gfx
import pytest
import yaml

from kasbah.analysis import discover_packs, load_pack
from kasbah.engine import PreviewResult, preview_program
from policies.deploy_readiness import rules
from policies.deploy_readiness.data import cloud_created, name_formats, ordered_pairs, service_linked_roles
from policies.framework import metadata_of

PACK = Path(rules.__file__).resolve().parent
CONFIG = {
    "aws:region": "eu-west-3",
    "azure-native:location": "francecentral",
    "gcp:region": "europe-west9",
    "kasbah:accountId": fx.MGMT,
}


def run(program: Callable[[], None]) -> PreviewResult:
    return preview_program(program, config=CONFIG, policy_packs=[PACK])


def found(result: PreviewResult, policy: str) -> list[Any]:
    return [v for v in result.violations if v.pack == rules.PACK_NAME and v.policy == policy]


def describe(result: PreviewResult) -> str:
    return "\n".join(f"  {v.policy} {v.urn}: {v.message}" for v in result.violations) or "  (none)"


# --- the pack ---------------------------------------------------------------------------------------------


def test_pack_policy_list_is_pinned() -> None:
    assert rules.PACK_NAME == "deploy-readiness"
    assert [p.name for p in rules.POLICIES] == [
        "deploy-name-without-dependency",
        "deploy-cloud-created-resource",
        "deploy-cloud-created-name",
        "deploy-policy-principal-without-dependency",
        "deploy-date-outside-api-window",
        "deploy-pair-not-ordered",
        "deploy-name-format",
    ]


def test_pack_is_advisory_and_discovered_and_loadable_like_the_cli_does() -> None:
    assert PACK in discover_packs()
    loaded = load_pack(PACK)
    assert loaded.name == rules.PACK_NAME
    assert str(loaded.enforcement_level).lower().endswith("advisory")
    assert [p.name for p in loaded.policies] == [p.name for p in rules.POLICIES]
    for meta in metadata_of(rules.POLICIES):
        assert str(meta.default_enforcement).lower().endswith("advisory"), meta.id
        assert meta.references and meta.remediation and meta.description, meta.id
    spec = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert spec["runtime"] == "python" and spec["version"]
    reqs = (PACK / "requirements.txt").read_text()
    assert "pulumi-policy==" in reqs


def test_every_data_entry_cites_its_source() -> None:
    for entry in cloud_created():
        assert entry.source.startswith("https://"), entry.id
        assert entry.when in ("name", "delegated-admin"), entry.id
    for role in service_linked_roles():
        assert role.source.startswith("https://docs.aws.amazon.com/"), role.role_name
    for pair in ordered_pairs():
        assert pair.source.startswith("https://"), pair.id
    ids = [e.id for e in cloud_created()] + [p.id for p in ordered_pairs()]
    assert len(ids) == len(set(ids))
    raw = json.loads((PACK / "cloud_created.json").read_text())
    assert {e["type"] for e in raw["entries"]} >= {
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
        "azure-native:network:NetworkWatcher",
        "azure-native:resources:ResourceGroup",
        "gcp:compute/network:Network",
    }
    for entries in name_formats().values():
        for prop, fmt in entries:
            assert prop and fmt.source.startswith("https://cloud.google.com/"), fmt


def test_policies_md_lists_the_pack() -> None:
    text = (PACK.parents[1] / "POLICIES.md").read_text()
    assert "## Pack `deploy-readiness`" in text
    for policy in rules.POLICIES:
        assert policy.name in text, policy.name


# --- fixtures ---------------------------------------------------------------------------------------------

FAIL: list[tuple[str, Callable[[], None], str, str]] = [
    ("trail-literal-bucket", fx.trail_with_literal_bucket, "deploy-name-without-dependency", "trail"),
    (
        "channel-literal-bucket",
        fx.delivery_channel_with_literal_bucket,
        "deploy-name-without-dependency",
        "channel",
    ),
    (
        "guardduty-admin-detector",
        fx.guardduty_detector_in_admin_account,
        "deploy-cloud-created-resource",
        "gd",
    ),
    (
        "securityhub-admin-account",
        fx.securityhub_account_in_admin_account,
        "deploy-cloud-created-resource",
        "sh",
    ),
    ("config-slr", fx.config_service_linked_role, "deploy-cloud-created-name", "config-slr"),
    ("azure-network-watcher", fx.azure_network_watcher, "deploy-cloud-created-name", "nw"),
    ("azure-network-watcher-rg", fx.azure_network_watcher, "deploy-cloud-created-name", "nw-rg"),
    (
        "key-default-asg-role",
        fx.key_names_default_autoscaling_role,
        "deploy-policy-principal-without-dependency",
        "key",
    ),
    (
        "key-stack-role",
        fx.key_names_stack_role_without_dependency,
        "deploy-policy-principal-without-dependency",
        "key",
    ),
    (
        "azure-budget-past-month",
        fx.azure_budget_starting("2026-10-01T00:00:00Z"),
        "deploy-date-outside-api-window",
        "budget",
    ),
    (
        "azure-budget-mid-month",
        fx.azure_budget_starting("2026-12-15T00:00:00Z"),
        "deploy-date-outside-api-window",
        "budget",
    ),
    (
        "aws-budget-ended",
        fx.aws_budget_ending("2026-06-30_00:00"),
        "deploy-date-outside-api-window",
        "budget",
    ),
    ("azure-peering-race", fx.azure_peering(ordered=False), "deploy-pair-not-ordered", "to-hub"),
    (
        "securityhub-org-config",
        fx.securityhub_org_configuration(ordered=False),
        "deploy-pair-not-ordered",
        "sh-org",
    ),
    ("organization-analyzer", fx.organization_analyzer(ordered=False), "deploy-pair-not-ordered", "analyzer"),
    (
        "ram-organization-share",
        fx.ram_organization_share(ordered=False),
        "deploy-pair-not-ordered",
        "tgw-share-organization",
    ),
    ("scp-before-organization", fx.scp_and_organization(ordered=False), "deploy-pair-not-ordered", "scp"),
    (
        "member-region-before-trusted-access",
        fx.member_region_and_organization(ordered=False),
        "deploy-pair-not-ordered",
        "region-log-eu-south-2",
    ),
    ("gcp-network-before-api", gfx.api_before_network(ordered=False), "deploy-pair-not-ordered", "vpc"),
    ("gcp-attach-before-host", gfx.shared_vpc_attachment(ordered=False), "deploy-pair-not-ordered", "attach"),
    ("gcp-cmek-bucket-before-grant", gfx.cmek_log_bucket(ordered=False), "deploy-pair-not-ordered", "bucket"),
    ("gcp-default-network", gfx.default_network, "deploy-cloud-created-name", "default-net"),
    ("gcp-required-bucket", gfx.required_bucket, "deploy-cloud-created-name", "required"),
    ("gcp-long-project-id", gfx.long_project_id, "deploy-name-format", "too-long"),
    ("gcp-perimeter-hyphen", gfx.perimeter_with_hyphen, "deploy-name-format", "perimeter"),
]

PASS: list[tuple[str, Callable[[], None]]] = [
    ("trail-after-policy", fx.trail_after_bucket_policy),
    ("guardduty-detector-looked-up", fx.guardduty_detector_looked_up),
    ("suffixed-slr", fx.suffixed_service_linked_role),
    ("azure-own-groups", fx.azure_resource_groups_of_the_stack),
    ("key-suffixed-role", fx.key_names_suffixed_role_it_depends_on),
    ("azure-budget-this-month", fx.azure_budget_starting("2026-12-01T00:00:00Z")),
    ("aws-budget-open", fx.aws_budget_ending("2087-06-30_00:00")),
    ("azure-peering-ordered", fx.azure_peering(ordered=True)),
    ("securityhub-org-config-ordered", fx.securityhub_org_configuration(ordered=True)),
    ("organization-analyzer-ordered", fx.organization_analyzer(ordered=True)),
    ("ram-organization-share-ordered", fx.ram_organization_share(ordered=True)),
    ("scp-after-organization", fx.scp_and_organization(ordered=True)),
    ("member-region-after-trusted-access", fx.member_region_and_organization(ordered=True)),
    ("gcp-network-after-api", gfx.api_before_network(ordered=True)),
    ("gcp-attach-after-host", gfx.shared_vpc_attachment(ordered=True)),
    ("gcp-cmek-bucket-after-grant", gfx.cmek_log_bucket(ordered=True)),
    ("gcp-valid-names", gfx.valid_names),
]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    # The date windows are judged against a fixed day, so that the fixtures do not go stale.
    monkeypatch.setattr(rules, "today", lambda: _dt.date(2026, 12, 2))


@pytest.mark.parametrize(("label", "program", "policy", "resource"), FAIL, ids=[f[0] for f in FAIL])
def test_fail_fixture_is_flagged_on_the_resource_that_carries_the_defect(
    label: str, program: Callable[[], None], policy: str, resource: str
) -> None:
    result = run(program)
    hits = found(result, policy)
    assert any(v.urn.endswith(f"::{resource}") for v in hits), (
        f"{label}: {policy} not on {resource}\n{describe(result)}"
    )
    assert all(v.enforcement == "advisory" for v in hits), describe(result)


@pytest.mark.parametrize(("label", "program"), PASS, ids=[p[0] for p in PASS])
def test_pass_fixture_has_no_finding(label: str, program: Callable[[], None]) -> None:
    result = run(program)
    mine = [v for v in result.violations if v.pack == rules.PACK_NAME]
    assert not mine, f"{label}:\n{describe(result)}"


def test_the_budget_window_moves_with_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 12, item 3: the component's literal 2026-12-01 is accepted this month, refused the next.
    program = fx.azure_budget_starting("2026-12-01T00:00:00Z")
    assert not found(run(program), "deploy-date-outside-api-window")
    monkeypatch.setattr(rules, "today", lambda: _dt.date(2027, 1, 5))
    assert found(run(program), "deploy-date-outside-api-window")
