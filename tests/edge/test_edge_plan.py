"""Pure logic of the Wavelength edge pattern: zone validation and subnet planning (no Pulumi)."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws.edge_plan import (
    AlbArgs,
    EdgeArgs,
    EdgeZoneArgs,
    EksArgs,
    plan_edge,
    zone_label,
)
from components.aws.wavelength_data import (
    border_group_of,
    is_wavelength_zone_name,
    offered_types,
    parent_region_of,
)
from components.common import DataClassification
from components.errors import ConfigError
from kasbah.facts import WAVELENGTH_ZONES

CASABLANCA_ZONE = "eu-west-3-cmn-wlz-1a"

REGION = "eu-west-3"


def _zone(**kw: object) -> EdgeZoneArgs:
    return dataclasses.replace(EdgeZoneArgs(), **kw)  # type: ignore[arg-type]


def _error(args: EdgeArgs, region: str | None = REGION, prefix: str = "EdgeArgs.") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        plan_edge(args, region, prefix)
    assert "\n" not in str(info.value)
    return info.value


def test_default_plan_is_one_vpc_with_two_regional_azs_and_one_zone_subnet() -> None:
    plan = plan_edge(EdgeArgs(), REGION)
    assert plan.region == REGION
    assert len(plan.zones) == 1
    zone = plan.zones[0]
    assert zone.name == CASABLANCA_ZONE
    assert [(s.tier, s.index) for s in zone.regional_subnets] == [
        ("public", 0),
        ("public", 1),
        ("private", 0),
        ("private", 1),
    ]
    assert [(s.tier, s.index) for s in zone.zone_subnets] == [("wavelength", 0)]
    assert not plan.needs_transit_gateway


def test_zone_facts_table_agrees_with_name_parsing() -> None:
    for name, info in WAVELENGTH_ZONES.items():
        assert is_wavelength_zone_name(name)
        assert parent_region_of(name) == info.parent_region
        assert border_group_of(name) == info.network_border_group
    assert not is_wavelength_zone_name("eu-west-3a")
    assert not is_wavelength_zone_name("us-west-2-lax-1a")  # a Local Zone
    assert parent_region_of("us-east-1-wl1-bos-wlz-1a") == "us-east-1"


def test_offered_types_are_data_and_overridable() -> None:
    assert "t3.medium" in offered_types(CASABLANCA_ZONE)
    assert offered_types(CASABLANCA_ZONE, {CASABLANCA_ZONE: ["c5.large"]}) == frozenset({"c5.large"})
    plan_edge(
        EdgeArgs(
            zones=[_zone(instance_type="c5.large")], offered_instance_types={CASABLANCA_ZONE: ["c5.large"]}
        ),
        REGION,
    )


@pytest.mark.parametrize(
    ("zone", "key", "words"),
    [
        (_zone(name="eu-west-3a"), "EdgeArgs.zones[0].name", "not a Wavelength zone"),
        (_zone(name="us-west-2-lax-1a"), "EdgeArgs.zones[0].name", "not a Wavelength zone"),
        (_zone(name="us-east-1-wl1-bos-wlz-1a"), "EdgeArgs.zones[0].name and aws:region", "us-east-1"),
        (_zone(ipv6=True), "EdgeArgs.zones[0].ipv6", "IPv4 only"),
        (_zone(instance_type="m5.large"), "EdgeArgs.zones[0].instanceType", "not offered"),
        (
            _zone(data_classification=DataClassification.SENSITIVE),
            "EdgeArgs.zones[0].dataClassification",
            "sensitive",
        ),
        (_zone(cidr="10.60.0.1/16"), "EdgeArgs.zones[0].cidr", "not an IPv4 CIDR"),
        (_zone(min_size=3, desired_capacity=1, max_size=2), "EdgeArgs.zones[0].minSize", "min <= desired"),
    ],
)
def test_bad_zone_input_is_one_line_naming_the_key(zone: EdgeZoneArgs, key: str, words: str) -> None:
    err = _error(EdgeArgs(zones=[zone]))
    assert err.key.startswith(key), f"{err.key!r} does not name {key!r}: {err}"
    assert words in str(err), str(err)


def test_blueprint_prefix_names_config_keys() -> None:
    err = _error(
        EdgeArgs(zones=[EdgeZoneArgs(), _zone(name="eu-west-3-xyz-wlz-1a", ipv6=True)]), prefix="kasbah:"
    )
    assert err.key == "kasbah:zones[1].ipv6"


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (EdgeArgs(regional_az_count=1), "EdgeArgs.regionalAzCount"),
        (EdgeArgs(regional_azs=["eu-west-3a", "eu-west-3-cmn-wlz-1a"]), "EdgeArgs.regionalAzs[1]"),
        (EdgeArgs(app_ports=[22], app_sources=["0.0.0.0/0"]), "EdgeArgs.appPorts and EdgeArgs.appSources"),
        (EdgeArgs(app_ports=[443, 3389], app_sources=["10.0.0.0/8", "0.0.0.0/0"]), "EdgeArgs.appPorts and"),
        (EdgeArgs(app_ports=[70000]), "EdgeArgs.appPorts[0]"),
        (EdgeArgs(transit_gateway_id="vpc-123"), "EdgeArgs.transitGatewayId"),
        (EdgeArgs(flow_log_retention_days=10), "EdgeArgs.flowLogRetentionDays"),
        (EdgeArgs(log_classification=DataClassification.SENSITIVE), "EdgeArgs.logClassification"),
        (EdgeArgs(endpoints=["ssm", "s3"]), "EdgeArgs.endpoints[1]"),
        (EdgeArgs(alb=AlbArgs(enabled=True)), "EdgeArgs.alb.enabled and EdgeArgs.alb.certificateArn"),
        (
            EdgeArgs(
                alb=AlbArgs(
                    enabled=True, certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/ab-12"
                )
            ),
            "EdgeArgs.alb.certificateArn and aws:region",
        ),
        (EdgeArgs(eks=EksArgs(enabled=True, node_instance_type="m5.large")), "EdgeArgs.eks.nodeInstanceType"),
        (EdgeArgs(eks=EksArgs(public_endpoint_cidrs=["0.0.0.0/0"])), "EdgeArgs.eks.publicEndpointCidrs[0]"),
        (EdgeArgs(zones=[]), "EdgeArgs.zones"),
        (
            EdgeArgs(zones=[EdgeZoneArgs(), EdgeZoneArgs()]),
            "EdgeArgs.zones[0].name and EdgeArgs.zones[1].name",
        ),
        (
            EdgeArgs(zones=[EdgeZoneArgs(), _zone(name="eu-west-3-xyz-wlz-1a", cidr="10.60.128.0/17")]),
            "EdgeArgs.zones[0].cidr and EdgeArgs.zones[1].cidr",
        ),
    ],
)
def test_bad_pattern_input_names_the_key(args: EdgeArgs, key: str) -> None:
    err = _error(args)
    assert err.key.startswith(key), f"{err.key!r} does not start with {key!r}: {err}"


def test_missing_region_names_aws_region() -> None:
    assert _error(EdgeArgs(), region=None).key == "aws:region"


def test_admin_port_from_a_private_source_is_allowed() -> None:
    plan_edge(EdgeArgs(app_ports=[443, 22], app_sources=["10.0.0.0/8"]), REGION)


def test_two_zones_of_the_region_get_two_vpcs_and_a_transit_gateway() -> None:
    plan = plan_edge(
        EdgeArgs(
            zones=[
                EdgeZoneArgs(),
                _zone(name="eu-west-3-xyz-wlz-1a", cidr="10.61.0.0/16", zone_subnet_count=3),
            ]
        ),
        REGION,
    )
    assert plan.needs_transit_gateway
    assert [z.vpc_cidr for z in plan.zones] == [
        ipaddress.IPv4Network("10.60.0.0/16"),
        ipaddress.IPv4Network("10.61.0.0/16"),
    ]
    assert len(plan.zones[1].zone_subnets) == 3
    assert len(plan.zones[1].regional("private")) == 2
    assert zone_label(CASABLANCA_ZONE) == "cmn-wlz-1a"


def test_too_small_vpc_names_the_cidr_key() -> None:
    err = _error(EdgeArgs(zones=[_zone(cidr="10.60.0.0/26")]))
    assert err.key == "EdgeArgs.zones[0].cidr"


@given(
    third=st.integers(0, 255),
    prefix=st.integers(16, 24),
    azs=st.integers(2, 3),
    zone_subnets=st.integers(1, 4),
)
def test_planned_subnets_are_disjoint_inside_the_vpc(
    third: int, prefix: int, azs: int, zone_subnets: int
) -> None:
    net = next(ipaddress.IPv4Network(f"10.{third}.0.0/16").subnets(new_prefix=prefix))
    try:
        plan = plan_edge(
            EdgeArgs(zones=[_zone(cidr=str(net), zone_subnet_count=zone_subnets)], regional_az_count=azs),
            REGION,
        )
    except ConfigError as err:
        assert err.key == "EdgeArgs.zones[0].cidr"
        return
    zone = plan.zones[0]
    subnets = [s.cidr for s in (*zone.regional_subnets, *zone.zone_subnets)]
    assert len(subnets) == 2 * azs + zone_subnets
    for i, a in enumerate(subnets):
        assert a.subnet_of(net)
        for b in subnets[i + 1 :]:
            assert not a.overlaps(b), f"{a} overlaps {b}"
