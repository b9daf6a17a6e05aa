"""GCP landing zone, pure logic: names, address plans, organization policies as data, settings validation
(every bad value is one ConfigError naming its key, before any resource)."""

from __future__ import annotations

import copy
import importlib.util
import ipaddress
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from components.errors import ConfigError
from components.gcp import naming
from components.gcp.firewall import baseline_rules
from components.gcp.network_plan import MAX_PEERINGS, SpokeRequest, plan_network
from components.gcp.org_policy import library, location_values, render, to_pulumi
from components.settings import parse_settings
from kasbah.facts import GCP_NAME_FORMATS, REMOTE_ADMIN_PORTS, Cloud, approved_locations

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = REPO / "blueprints" / "gcp-landing-zone"


def _settings_module() -> Any:
    spec = importlib.util.spec_from_file_location("gcp_lz_settings", BLUEPRINT / "settings.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gcp_lz_settings"] = mod
    sys.path.insert(0, str(BLUEPRINT))
    spec.loader.exec_module(mod)
    return mod


S = _settings_module()


def _config(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k.removeprefix("kasbah:"): v for k, v in data.items() if k.startswith("kasbah:")}


def _validate(raw: dict[str, Any]) -> Any:
    return S.validate(parse_settings(S.Settings, raw))


# --- names ------------------------------------------------------------------------------------------


@given(
    st.from_regex(r"[a-z][a-z0-9]{1,9}", fullmatch=True),
    st.sampled_from(["iac", "log", "net-prod", "dev-app"]),
)
def test_project_ids_are_valid_deterministic_and_unique_per_organization(prefix: str, role: str) -> None:
    first = naming.project_id("k", prefix, role, "123456789012")
    assert re.fullmatch(GCP_NAME_FORMATS["project-id"].pattern, first)
    assert first == naming.project_id("k", prefix, role, "123456789012")
    assert first != naming.project_id("k", prefix, role, "999999999999")


def test_a_project_id_over_30_characters_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^kasbah:projects\[0\]\.name: project id .* is 3[0-9] characters"):
        naming.project_id("kasbah:projects[0].name", "kbhprod", "production-analytics", "1")


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("rfc1035", "vpc-hub-europe-west9", "VPC_Hub"),
        ("kms-name", "kbh-europe-west9", "kbh europe"),
        ("folder-display-name", "kbh-networking", "-kbh"),
        (
            "perimeter-name",
            "accessPolicies/1/servicePerimeters/kbh_lz",
            "accessPolicies/1/servicePerimeters/kbh-lz",
        ),
    ],
)
def test_name_formats(kind: str, good: str, bad: str) -> None:
    assert re.fullmatch(GCP_NAME_FORMATS[kind].pattern, good)
    assert not re.fullmatch(GCP_NAME_FORMATS[kind].pattern, bad)


# --- network plan -----------------------------------------------------------------------------------


def test_spokes_take_disjoint_blocks_from_the_pool_and_split_per_region() -> None:
    spokes = [SpokeRequest("k.spokes", e, None) for e in ("dev", "prod")] + [
        SpokeRequest("k.s2", "qa", "10.17.0.0/16")
    ]
    plans = plan_network(
        "k.hub", "10.0.0.0/20", "k.pool", "10.16.0.0/12", 16, spokes, ["europe-west9", "europe-southwest1"]
    )
    blocks = [p.cidr for p in plans]
    assert [str(b) for b in blocks] == ["10.0.0.0/20", "10.16.0.0/16", "10.18.0.0/16", "10.17.0.0/16"]
    for i, a in enumerate(blocks):
        assert all(not a.overlaps(b) for b in blocks[i + 1 :])
    assert {str(s) for s in plans[0].subnets.values()} == {"10.0.0.0/21", "10.0.8.0/21"}


@pytest.mark.parametrize(
    ("hub", "spokes", "needle"),
    [
        (
            "10.0.0.0/20",
            [SpokeRequest("k.spokes[0].cidr", "dev", "10.0.8.0/24")],
            r"k\.hub and k\.spokes\[0\]\.cidr: .* overlaps",
        ),
        ("199.36.153.0/24", [], r"k\.hub: .* overlaps 199\.36\.153\.4/30, which Google reserves"),
        (
            "10.0.0.0/20",
            [SpokeRequest("k.s", f"e{i}", None) for i in range(MAX_PEERINGS + 1)],
            r"the limit is 25 per network",
        ),
    ],
)
def test_bad_plans_name_their_keys(hub: str, spokes: list[SpokeRequest], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        plan_network("k.hub", hub, "k.pool", "10.16.0.0/12", 16, spokes, ["europe-west9"])


# --- organization policies --------------------------------------------------------------------------


def test_the_library_is_the_references_common_constraints_plus_resource_locations() -> None:
    lib = library()
    both = {c for c, e in lib.items() if set(e["sources"]) == {"fabric", "tef"}}
    assert {
        "iam.allowedPolicyMemberDomains",
        "compute.requireOsLogin",
        "storage.publicAccessPrevention",
        "sql.restrictPublicIp",
    } <= both
    assert set(lib) - both == {"gcp.resourceLocations"}


def test_placeholders_are_filled_and_rules_take_the_provider_shape() -> None:
    lib = library()
    rules = render(
        "gcp.resourceLocations",
        lib["gcp.resourceLocations"],
        regions=approved_locations(Cloud.GCP),
        customer_ids=[],
        contact_domains=[],
    )
    assert rules == [
        {"values": {"allowedValues": ["in:europe-west9-locations", "in:europe-southwest1-locations"]}}
    ]
    domains = render(
        "iam.allowedPolicyMemberDomains",
        lib["iam.allowedPolicyMemberDomains"],
        customer_ids=["C01abcd2e"],
        contact_domains=[],
    )
    assert to_pulumi(domains[0]) == {"values": {"allowed_values": ["is:C01abcd2e"]}}
    assert to_pulumi({"enforce": True}) == {"enforce": "TRUE"}
    assert location_values(["europe-west9"]) == ["in:europe-west9-locations"]


def test_the_firewall_policy_never_opens_admin_ports_to_the_internet() -> None:
    admin = {str(p) for p in REMOTE_ADMIN_PORTS}
    for rule in baseline_rules():
        if rule.action == "allow":
            assert "0.0.0.0/0" not in rule.sources
    deny = [r for r in baseline_rules() if r.action == "deny"]
    assert deny and set(deny[0].ports) == admin and deny[0].sources == ("0.0.0.0/0",)
    iap = next(r for r in baseline_rules() if r.key == "allow-iap")
    assert iap.priority < deny[0].priority and ipaddress.ip_network(iap.sources[0]).prefixlen == 20


# --- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_stack_settings_validate(stack: str) -> None:
    plan = _validate(_config(stack))
    assert plan.root.startswith(("organizations/", "folders/"))
    assert len(set(plan.core_ids.values()) | set(plan.service_ids)) == len(plan.core_ids) + len(
        plan.service_ids
    )


def _bad(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_config("gcp-dev"))
    cur = raw
    keys = path.split(".")
    for k in keys[:-1]:
        cur = cur.setdefault(k, {}) if not k.isdigit() else cur[int(k)]
    last = keys[-1]
    if isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        ("organizationId", "acme", r"^kasbah:organizationId: 'acme' is not a valid organization id"),
        ("billingAccount", "0123", r"^kasbah:billingAccount: "),
        (
            "region",
            "us-central1",
            r"^kasbah:region and kasbah:allowedRegions: 'us-central1' is not an allowed region",
        ),
        ("parentFolderId", "team-a", r"^kasbah:parentFolderId: "),
        ("tags", {"Owner": "x"}, r"^kasbah:tags\.Owner: 'Owner' is not a valid label key"),
        (
            "hierarchy.environments",
            ["dev", "dev"],
            r"^kasbah:hierarchy\.environments: an environment is listed twice",
        ),
        (
            "hierarchy.contacts",
            [{"email": "x@y.ma", "categories": ["NEWS"]}],
            r"^kasbah:hierarchy\.contacts\[0\]\.categories: 'NEWS'",
        ),
        (
            "orgPolicies.disabled",
            ["compute.nope"],
            r"^kasbah:orgPolicies\.disabled\[0\]: 'compute\.nope' is not in the library",
        ),
        ("orgPolicies.memberCustomerIds", ["acme.ma"], r"^kasbah:orgPolicies\.memberCustomerIds\[0\]: "),
        ("logging.retentionDays", 0, r"^kasbah:logging\.retentionDays: 0 is outside 1-3650 days"),
        (
            "logging.classification",
            "sensitive",
            r"^kasbah:logging\.classification: sensitive data may not be stored",
        ),
        ("kms.rotationDays", 365, r"^kasbah:kms\.rotationDays: 365 is outside 1-90 days"),
        ("kms.keys", ["storage"], r"^kasbah:kms\.keys: no 'logging' key"),
        (
            "network.spokes",
            [{"environment": "qa"}],
            r"^kasbah:network\.spokes\[0\]\.environment and kasbah:hierarchy\.environments",
        ),
        ("network.flowLogSampling", 0, r"^kasbah:network\.flowLogSampling: "),
        (
            "network.vpn",
            {"peerIps": ["203.0.113.1"], "peerAsn": 64514, "sharedSecret": "0123456789"},
            r"^kasbah:network\.vpn\.peerAsn and kasbah:network\.vpn\.routerAsn",
        ),
        (
            "vpcSc",
            {"createAccessPolicy": True, "accessPolicyId": "1"},
            r"^kasbah:vpcSc\.accessPolicyId and kasbah:vpcSc\.createAccessPolicy",
        ),
        (
            "projects.0.environment",
            "qa",
            r"^kasbah:projects\[0\]\.environment and kasbah:hierarchy\.environments",
        ),
        (
            "projects.1.dataClassification",
            "sensitive",
            r"^kasbah:projects\[1\]\.dataClassification: sensitive data",
        ),
        (
            "projects.0.iam",
            [{"role": "roles/owner", "members": ["group:a@b.ma"]}],
            r"^kasbah:projects\[0\]\.iam\[0\]\.role: roles/owner is a basic role",
        ),
        ("projects.0.name", "Web", r"^kasbah:projects\[0\]\.name: 'Web' is not a valid resource name"),
    ],
)
def test_bad_values_fail_in_one_line_naming_the_key(path: str, value: Any, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as info:
        _validate(_bad(path, value))
    assert "\n" not in str(info.value) and "Fix: " in str(info.value)


def test_a_contact_outside_the_allowed_domains_names_both_keys() -> None:
    settings = parse_settings(S.Settings, _config("gcp-dev"))
    with pytest.raises(
        ConfigError, match=r"^kasbah:hierarchy\.contacts\[0\]\.email and kasbah:orgPolicies\.contactDomains"
    ):
        S.contact_domains(
            settings.__class__(
                **{**settings.__dict__, "org_policies": S.OrgPolicySpec(contact_domains=["other.ma"])}
            ),
            "example.com",
        )
