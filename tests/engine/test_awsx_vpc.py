"""awsx.ec2.Vpc emulated offline: the subnet layout awsx computes, and the children its Construct creates.

Expected layouts come from pulumi-awsx's own tests (github.com/pulumi/pulumi-awsx, ``awsx/ec2/``
``knownWorkingSubnets.ts``, ``subnetDistributorNew.test.ts``, commit e60adf3c): the emulation must give
what awsx gives.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasbah.engine import preview_program
from kasbah.engine.emulated import awsx_ec2
from kasbah.engine.emulated.awsx_vpc_layout import (
    LayoutError,
    SpecInput,
    auto_subnets,
    legacy_subnets,
    merge_with_defaults,
    plan_subnets,
)
from kasbah.engine.model import UNKNOWN_SENTINEL

AZS = ["eu-west-3a", "eu-west-3b", "eu-west-3c"]


@pytest.mark.parametrize(
    ("vpc_cidr", "specs", "expected"),
    [  # knownWorkingSubnets.ts (legacy allocator, one zone)
        ("10.0.0.0/18", [("Isolated", 22), ("Public", 21)], ["10.0.0.0/21", "10.0.8.0/22"]),
        ("10.0.0.0/17", [("Private", 18)], ["10.0.0.0/18"]),
        (
            "10.0.0.0/17",
            [("Public", 27), ("Private", 18), ("Public", 19), ("Isolated", 25)],
            ["10.0.0.0/18", "10.0.64.0/27", "10.0.96.0/19", "10.0.128.0/25"],
        ),
        ("10.0.0.0/16", [("Private", 25), ("Private", 19)], ["10.0.0.0/25", "10.0.32.0/19"]),
        (
            "10.0.0.0/17",
            [("Isolated", 23), ("Isolated", 18), ("Public", 19)],
            ["10.0.0.0/19", "10.0.32.0/23", "10.0.96.0/18"],
        ),
    ],
)
def test_legacy_layout_matches_awsx_known_cases(
    vpc_cidr: str, specs: list[tuple[str, int]], expected: list[str]
) -> None:
    got = legacy_subnets("vpcName", vpc_cidr, ["us-east-1a"], [SpecInput(t, cidr_mask=m) for t, m in specs])
    assert [s.cidr_block for s in got] == expected


def test_the_default_layout_is_a_private_19_and_a_public_20_per_zone() -> None:
    got = plan_subnets("vpc", "10.0.0.0/16", AZS, None, "Legacy", "OnePerAz")
    assert [(s.resource_name, s.cidr_block) for s in got] == [
        ("vpc-private-1", "10.0.0.0/19"),
        ("vpc-private-2", "10.0.64.0/19"),
        ("vpc-private-3", "10.0.128.0/19"),
        ("vpc-public-1", "10.0.32.0/20"),
        ("vpc-public-2", "10.0.96.0/20"),
        ("vpc-public-3", "10.0.160.0/20"),
    ]
    auto = plan_subnets("vpc", "10.0.0.0/16", AZS, None, "Auto", "OnePerAz")
    assert sorted(s.cidr_block for s in auto) == sorted(s.cidr_block for s in got)


def test_auto_merge_keeps_the_default_types_and_the_users_settings() -> None:
    """subnetDistributorNew.test.ts: 'should preserve default layout semantics ... AutoMerge'."""
    user = [SpecInput("Public", tags={"kubernetes.io/role/elb": "1"})]
    got = auto_subnets("vpcName", "10.0.0.0/16", ["us-east-1a", "us-east-1b"], user, merge=True)
    assert [(s.type, s.cidr_block) for s in got] == [
        ("Private", "10.0.0.0/18"),
        ("Public", "10.0.64.0/19"),
        ("Private", "10.0.128.0/18"),
        ("Public", "10.0.192.0/19"),
    ]
    assert got[1].tags == {"kubernetes.io/role/elb": "1"}
    assert [
        s.type for s in merge_with_defaults([SpecInput("Isolated", name="db")], [SpecInput("Private")])
    ] == [
        "Private",
        "Isolated",
    ]


def test_an_az_cidr_mask_overrides_the_even_split() -> None:
    """subnetDistributorNew.test.ts: 'can override az cidr mask'."""
    assert auto_subnets("vpcName", "10.0.0.0/16", ["us-east-1a"], [SpecInput("Public")], 19)[
        0
    ].cidr_block == ("10.0.0.0/19")


def test_awsx_refusals_are_its_own_words() -> None:
    with pytest.raises(LayoutError, match="public subnets must be declared to host the NAT Gateway"):
        plan_subnets("v", "10.0.0.0/16", AZS, [SpecInput("Private")], "Auto", "OnePerAz")
    with pytest.raises(LayoutError, match="overlap with at least one other subnet"):
        plan_subnets("v", "10.0.0.0/24", AZS, [SpecInput("Public", cidr_mask=24)], "Legacy", "None")
    with pytest.raises(LayoutError, match="require unique names"):
        plan_subnets("v", "10.0.0.0/16", AZS, [SpecInput("Public"), SpecInput("Public")], "Auto", "None")
    with pytest.raises(LayoutError, match="gaps in the subnet ranges"):
        explicit = [SpecInput("Public", cidr_blocks=("10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/24"))]
        plan_subnets("v", "10.0.0.0/16", AZS, explicit, "Exact", "None")


@given(
    mask=st.integers(min_value=16, max_value=22),
    zones=st.integers(min_value=1, max_value=4),
    kinds=st.lists(st.sampled_from(["Public", "Private", "Isolated"]), min_size=1, max_size=3, unique=True),
)
def test_auto_layouts_never_overlap_and_stay_inside_the_vpc(mask: int, zones: int, kinds: list[str]) -> None:
    import ipaddress

    vpc = ipaddress.ip_network(f"10.0.0.0/{mask}")
    subnets = auto_subnets(
        "v", str(vpc), [f"eu-west-3{c}" for c in "abcd"[:zones]], [SpecInput(k) for k in kinds]
    )
    nets = [ipaddress.ip_network(s.cidr_block) for s in subnets]
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


def lookup(token: str, args: Any) -> dict[str, Any]:
    assert token == "aws:index/getAvailabilityZones:getAvailabilityZones"
    return {"names": AZS}


def test_the_construct_creates_what_vpc_ts_creates_per_zone() -> None:
    built = awsx_ec2.vpc(
        "net",
        {"numberOfAvailabilityZones": 2, "natGateways": {"strategy": "Single"}, "tags": {"a": "b"}},
        lookup,
    )
    kinds = [(c.type.split(":")[-1], c.name) for c in built.children]
    assert kinds[:2] == [("Vpc", "net"), ("InternetGateway", "net")]
    assert ("Eip", "net-1") in kinds and ("NatGateway", "net-1") in kinds and ("Eip", "net-2") not in kinds
    assert sum(1 for k, _ in kinds if k == "Subnet") == 4 and sum(1 for k, _ in kinds if k == "Route") == 4
    vpc = built.children[0]
    assert vpc.inputs == {"cidrBlock": "10.0.0.0/16", "tags": {"Name": "net", "a": "b"}}
    public = next(c for c in built.children if c.name == "net-public-1" and c.type.endswith("Subnet"))
    assert public.inputs["mapPublicIpOnLaunch"] is True and public.parent == "vpc"
    assert public.inputs["tags"] == {"Name": "net-public-1", "SubnetType": "Public", "a": "b"}
    private_route = next(
        c for c in built.children if c.name == "net-private-2" and c.type.endswith("route:Route")
    )
    assert private_route.inputs["natGatewayId"] == awsx_ec2.Ref("nat:net-1")
    assert private_route.parent == "rt:net-private-2"


def test_construct_refusals_name_the_argument() -> None:
    with pytest.raises(awsx_ec2.ConstructError, match=r"Only one of \[availabilityZoneNames\]"):
        awsx_ec2.vpc("n", {"availabilityZoneNames": ["a"], "numberOfAvailabilityZones": 1}, lookup)
    with pytest.raises(awsx_ec2.ConstructError, match="cidrBlock is unknown during the preview"):
        awsx_ec2.vpc("n", {"cidrBlock": UNKNOWN_SENTINEL}, lookup)
    with pytest.raises(awsx_ec2.ConstructError, match="does not have at least 4 Availability Zones"):
        awsx_ec2.vpc("n", {"numberOfAvailabilityZones": 4}, lookup)


def test_the_engine_registers_the_children_under_the_component_and_answers_its_outputs() -> None:
    import pulumi
    import pulumi_aws as aws
    import pulumi_awsx as awsx

    def program() -> None:
        vpc = awsx.ec2.Vpc("edge", cidr_block="10.30.0.0/16", number_of_availability_zones=2)
        aws.ec2.SecurityGroup("app", vpc_id=vpc.vpc_id)
        pulumi.export("cidr", vpc.vpc.cidr_block)
        pulumi.export("subnets", vpc.subnets.apply(len))
        pulumi.export("layout", vpc.subnet_layout.apply(lambda ls: [s.type for s in ls]))

    r = preview_program(program, config={"aws:region": "eu-west-3"})
    component = next(x for x in r.resources if x.type == "awsx:ec2:Vpc")
    inner = next(x for x in r.resources if x.type == "aws:ec2/vpc:Vpc")
    assert inner.parent == component.urn and inner.urn.endswith("::awsx:ec2:Vpc$aws:ec2/vpc:Vpc::edge")
    subnets = [x for x in r.resources if x.type == "aws:ec2/subnet:Subnet"]
    # Two zones: each gets half the VPC (/17), a private /18 and a public /19 (the legacy default layout).
    assert sorted(s.inputs["cidrBlock"] for s in subnets) == [
        "10.30.0.0/18",
        "10.30.128.0/18",
        "10.30.192.0/19",
        "10.30.64.0/19",
    ]
    assert all(s.parent == inner.urn and s.property_dependencies["vpcId"] == [inner.urn] for s in subnets)
    assert all(s.provider and "default_" in s.provider for s in subnets)
    assert r.outputs == {"cidr": "10.30.0.0/16", "subnets": 4, "layout": ["Private", "Public"]}
    sg = next(x for x in r.resources if x.type == "aws:ec2/securityGroup:SecurityGroup")
    assert sg.inputs["vpcId"] == "[unknown]"
    assert not r.advisory, [v.policy for v in r.advisory]
