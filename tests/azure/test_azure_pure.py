"""Pure logic of the Azure landing zone: addressing, naming, validation, policy data, Bastion rules."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.azure.addressing import (
    FIREWALL_SUBNET,
    SpokeRequest,
    allocate_spokes,
    plan_hub,
    plan_spoke_subnets,
)
from components.azure.naming import NAME_RULES, Kind, resource_name
from components.azure.network_data import BASTION_NSG_RULES, PRIVATE_DNS_ZONES, private_dns_zones
from components.azure.validation import (
    validate_expiry,
    validate_location,
    validate_management_group_id,
    validate_subscription_id,
)
from components.errors import ConfigError

# --- addressing ---------------------------------------------------------------------------------


@given(
    hub_third=st.integers(0, 255),
    hub_prefix=st.integers(16, 23),
    pool_second=st.integers(0, 255),
    prefix_length=st.integers(20, 28),
    stated=st.lists(st.one_of(st.none(), st.integers(0, 2**12 - 1)), min_size=1, max_size=12),
)
@settings(max_examples=150, deadline=None)
def test_spokes_never_overlap_each_other_or_the_hub(
    hub_third: int, hub_prefix: int, pool_second: int, prefix_length: int, stated: list[int | None]
) -> None:
    hub = ipaddress.IPv4Network(
        (int(ipaddress.IPv4Address(f"10.{pool_second}.{hub_third}.0")), hub_prefix), strict=False
    )
    pool = f"10.{pool_second}.0.0/16"
    requests = []
    for i, s in enumerate(stated):
        cidr = (
            None
            if s is None
            else str(ipaddress.IPv4Network((int(ipaddress.IPv4Address(pool.split("/")[0])) + s * 16, 28)))
        )
        requests.append(SpokeRequest(f"kasbah:spokes[{i}].cidr", cidr))
    try:
        blocks = allocate_spokes("kasbah:hubCidr", hub, "kasbah:spokePool", pool, prefix_length, requests)
    except ConfigError as exc:
        assert str(exc).count("Fix:") == 1
        return
    assert len(blocks) == len(requests)
    for i, a in enumerate(blocks):
        assert not a.overlaps(hub), f"spoke {i} {a} overlaps hub {hub}"
        for j, b in enumerate(blocks[i + 1 :], start=i + 1):
            assert not a.overlaps(b), f"spoke {i} {a} overlaps spoke {j} {b}"


def test_overlapping_spokes_name_both_keys() -> None:
    hub = ipaddress.IPv4Network("10.100.0.0/22")
    with pytest.raises(ConfigError) as err:
        allocate_spokes(
            "kasbah:hubCidr",
            hub,
            "kasbah:spokePool",
            "10.101.0.0/16",
            24,
            [
                SpokeRequest("kasbah:spokes[0].cidr", "10.101.0.0/24"),
                SpokeRequest("kasbah:spokes[1].cidr", "10.101.0.0/25"),
            ],
        )
    assert "kasbah:spokes[0].cidr" in str(err.value) and "kasbah:spokes[1].cidr" in str(err.value)
    with pytest.raises(ConfigError) as err2:
        allocate_spokes(
            "kasbah:hubCidr",
            hub,
            "kasbah:spokePool",
            "10.101.0.0/16",
            24,
            [SpokeRequest("kasbah:spokes[0].cidr", "10.100.1.0/24")],
        )
    assert "kasbah:hubCidr" in str(err2.value) and "kasbah:spokes[0].cidr" in str(err2.value)


@given(third=st.integers(0, 254), prefix=st.integers(16, 25), dns=st.booleans())
def test_hub_subnets_are_disjoint_and_inside_the_hub(third: int, prefix: int, dns: bool) -> None:
    cidr = ipaddress.IPv4Network((int(ipaddress.IPv4Address(f"10.1.{third}.0")), prefix), strict=False)
    try:
        plan = plan_hub("kasbah:hubCidr", str(cidr), dns_resolver=dns)
    except ConfigError as exc:
        assert exc.key == "kasbah:hubCidr"
        assert prefix > 23
        return
    subs = list(plan.subnets.values())
    for i, a in enumerate(subs):
        assert a.subnet_of(cidr)
        for b in subs[i + 1 :]:
            assert not a.overlaps(b)
    assert plan.subnets[FIREWALL_SUBNET].prefixlen == 26
    assert (
        ipaddress.IPv4Address(plan.firewall_private_ip) == plan.subnets[FIREWALL_SUBNET].network_address + 4
    )


def test_spoke_tiers_refuse_no_nsg_subnet_names() -> None:
    with pytest.raises(ConfigError):
        plan_spoke_subnets("kasbah:spokeTiers", ipaddress.IPv4Network("10.1.0.0/24"), ["GatewaySubnet"])
    subnets = plan_spoke_subnets(
        "kasbah:spokeTiers", ipaddress.IPv4Network("10.1.0.0/24"), ["app", "data", "pep"]
    )
    assert [s.name for s in subnets] == ["snet-app", "snet-data", "snet-pep"]
    assert all(s.nsg for s in subnets)


# --- naming ---------------------------------------------------------------------------------------

_prefixes = st.from_regex(r"^[a-z][a-z0-9]{1,9}$", fullmatch=True)
_parts = st.lists(st.from_regex(r"^[a-z][a-z0-9-]{0,30}$", fullmatch=True), min_size=1, max_size=3)
_subs = st.uuids().map(str)


@given(
    kind=st.sampled_from(list(Kind)),
    prefix=_prefixes,
    parts=_parts,
    sub=_subs,
    loc=st.sampled_from(["francecentral", "spaincentral", "francesouth"]),
)
@settings(max_examples=300)
def test_names_respect_each_kinds_rule_and_are_deterministic(
    kind: Kind, prefix: str, parts: list[str], sub: str, loc: str
) -> None:
    rule = NAME_RULES[kind]
    name = resource_name(kind, prefix, *parts, location=loc, unique_by=sub)
    assert rule.min_len <= len(name) <= rule.max_len, name
    assert re.match(rule.pattern, name), name
    assert name == resource_name(kind, prefix, *parts, location=loc, unique_by=sub)
    if rule.globally_unique:
        from components.common import stable_hash

        assert name.endswith(stable_hash(sub)[:6]), name


@given(prefix=_prefixes, parts=_parts, a=_subs, b=_subs)
def test_globally_unique_names_differ_by_subscription(prefix: str, parts: list[str], a: str, b: str) -> None:
    for kind in (Kind.STORAGE_ACCOUNT, Kind.KEY_VAULT):
        na = resource_name(kind, prefix, *parts, unique_by=a)
        nb = resource_name(kind, prefix, *parts, unique_by=b)
        from components.common import stable_hash

        assert (na == nb) == (stable_hash(a) == stable_hash(b))


def test_globally_unique_kinds_need_the_subscription() -> None:
    with pytest.raises(ValueError):
        resource_name(Kind.STORAGE_ACCOUNT, "kbh", "logs")


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["", "123", "0000000-0000-0000-0000-000000000000", "zzzzzzzz-0000-0000-0000-000000000000"]
)
def test_malformed_subscription_id_names_the_key(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_subscription_id("kasbah:subscriptions.management", bad)
    assert str(err.value).startswith("kasbah:subscriptions.management: ")


@pytest.mark.parametrize("bad", ["a" * 91, "kbh corp", "kbh/corp", "kbh.", "kbh#1", ""])
def test_invalid_management_group_id(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_management_group_id("kasbah:rootId", bad)
    assert err.value.key == "kasbah:rootId"


@given(st.from_regex(r"^[A-Za-z0-9_()-][A-Za-z0-9_.()-]{0,88}[A-Za-z0-9_()-]$", fullmatch=True))
def test_valid_management_group_ids_pass(value: str) -> None:
    assert validate_management_group_id("k", value) == value


def test_location_outside_the_approved_list() -> None:
    with pytest.raises(ConfigError) as err:
        validate_location(
            "kasbah:location", "eastus", ["francecentral", "spaincentral"], "kasbah:allowedLocations"
        )
    assert str(err.value).startswith("kasbah:location: ") and "eastus" in str(err.value)


def test_exemption_without_expiry() -> None:
    with pytest.raises(ConfigError) as err:
        validate_expiry("kasbah:exemptions[0].expires", None)
    assert err.value.key == "kasbah:exemptions[0].expires"
    with pytest.raises(ConfigError):
        validate_expiry("k", "31/12/2026")
    assert str(validate_expiry("k", "2026-12-31")) == "2026-12-31"


# --- Bastion ----------------------------------------------------------------------------------------


def test_bastion_nsg_has_exactly_the_rules_azure_requires() -> None:
    got = {
        (r.direction, r.access, r.protocol, r.source, r.destination, tuple(sorted(r.ports)))
        for r in BASTION_NSG_RULES
    }
    required = {
        ("Inbound", "Allow", "Tcp", "Internet", "*", ("443",)),
        ("Inbound", "Allow", "Tcp", "GatewayManager", "*", ("443",)),
        ("Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", ("443",)),
        ("Inbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("5701", "8080")),
        ("Outbound", "Allow", "*", "*", "VirtualNetwork", ("22", "3389")),
        ("Outbound", "Allow", "Tcp", "*", "AzureCloud", ("443",)),
        ("Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("5701", "8080")),
        ("Outbound", "Allow", "*", "*", "Internet", ("80",)),
        ("Inbound", "Deny", "*", "*", "*", ("*",)),
        ("Outbound", "Deny", "*", "*", "*", ("*",)),
    }
    assert got == required
    prios = [(r.direction, r.priority) for r in BASTION_NSG_RULES]
    assert len(prios) == len(set(prios))


def test_private_dns_zones_are_exactly_as_microsoft_names_them() -> None:
    zones = private_dns_zones("francecentral")
    assert len(zones) == len(set(zones)) == len(PRIVATE_DNS_ZONES)
    assert all("{" not in z for z in zones)
    # Regional names use the region (AKS, Data Explorer) or its geo-code (Azure Backup: frc, not the name).
    assert "privatelink.francecentral.azmk8s.io" in zones
    assert "privatelink.francecentral.kusto.windows.net" in zones
    assert "privatelink.frc.backup.windowsazure.com" in zones
    assert not any("francecentral.backup" in z for z in zones)
    assert "privatelink.spc.backup.windowsazure.com" in private_dns_zones("spaincentral")
    # ALZ's zones for the services the corp Deploy-Private-DNS-Zones initiative configures.
    for z in (
        "privatelink.azure-automation.net",
        "privatelink.vaultcore.azure.net",
        "privatelink.blob.core.windows.net",
        "privatelink.afs.azure.net",
        "privatelink.siterecovery.windowsazure.com",
        "privatelink.agentsvc.azure-automation.net",
    ):
        assert z in zones, z
    with pytest.raises(ConfigError) as err:
        private_dns_zones("moroccocentral")
    assert err.value.key == "kasbah:location" and "geo-code" in str(err.value)
