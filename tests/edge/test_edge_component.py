"""The Wavelength edge components under the offline engine: security and topology properties.

Each program is previewed once per module (``preview_program``, no policy packs: the stacks'
policy previews are in test_edge_stacks.py). Values unknown during preview are compared through
property dependencies (which resource an input comes from), as the real engine records them.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.aws.edge import WavelengthEdge, autoscaling_role_arn, key_policy
from components.aws.edge_plan import (
    AlbArgs,
    EdgeArgs,
    EdgeZoneArgs,
    EksArgs,
    NatStrategy,
    check_resolved_zone,
)
from components.common import CLASSIFICATION_TAG, DataClassification
from components.errors import ConfigError
from kasbah import invokes
from kasbah.engine import PreviewError, PreviewResult, RecordedResource, preview_program
from kasbah.facts import MANAGEMENT_PORTS

# Load Hypothesis now rather than lazily at session end: run alone, this file otherwise often ends
# with CPython 3.11.7's "SystemError: AST constructor recursion depth mismatch" when pytest rewrites
# Hypothesis's modules after the failing previews (all tests passed, exit code 1).
importlib.import_module("hypothesis")

CONFIG = {"aws:region": "eu-west-3", "kasbah:accountId": "123456789012"}
CASABLANCA = "eu-west-3-cmn-wlz-1a"
# A second zone of eu-west-3, hypothetical (AWS lists only Casablanca there): multi-zone is
# tested with inline programs, with this zone added to the engine's table for the test only.
SECOND = "eu-west-3-xyz-wlz-1a"
BLUEPRINT_OUTPUTS = (
    "vpcIds",
    "zoneSubnetIds",
    "regionalPrivateSubnetIds",
    "zoneRouteTableIds",
    "carrierGatewayIds",
    "autoScalingGroups",
    "endpointIds",
    "loadBalancerNames",
    "carrierIps",
    "eksClusterNames",
    "transitGatewayId",
)
POLICY_CONFIG = Path(__file__).resolve().parents[2] / "stacks" / "edge-dev.policy.json"
CERT = "arn:aws:acm:eu-west-3:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"

T_ROUTE = "aws:ec2/route:Route"
T_RT = "aws:ec2/routeTable:RouteTable"
T_RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
T_SUBNET = "aws:ec2/subnet:Subnet"
T_NAT = "aws:ec2/natGateway:NatGateway"
T_IGW = "aws:ec2/internetGateway:InternetGateway"
T_CAGW = "aws:ec2/carrierGateway:CarrierGateway"
T_LT = "aws:ec2/launchTemplate:LaunchTemplate"
T_ASG = "aws:autoscaling/group:Group"
T_EP = "aws:ec2/vpcEndpoint:VpcEndpoint"
T_VPC = "aws:ec2/vpc:Vpc"
T_TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
T_ATT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
T_SG = "aws:ec2/securityGroup:SecurityGroup"
T_EIP = "aws:ec2/eip:Eip"
T_KMS = "aws:kms/key:Key"

ROUTE_TARGETS = (
    "gatewayId",
    "natGatewayId",
    "carrierGatewayId",
    "transitGatewayId",
    "egressOnlyGatewayId",
    "networkInterfaceId",
    "vpcPeeringConnectionId",
    "vpcEndpointId",
    "localGatewayId",
    "coreNetworkArn",
)


def _run(args: EdgeArgs, config: Mapping[str, Any] = CONFIG, with_policies: bool = False) -> PreviewResult:
    def program() -> None:
        edge = WavelengthEdge("edge", args)
        pulumi.export("edge", edge.outputs())
        pulumi.export("stack", edge.stack_outputs())

    if not with_policies:
        return preview_program(program, config=dict(config), policy_packs=[])
    # Every pack, with the workload-account config of the edge stacks (no account-baseline presence checks).
    return preview_program(program, config=dict(config), policy_packs=None, policy_config=str(POLICY_CONFIG))


@pytest.fixture(scope="module")
def second_zone() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(
            invokes.WAVELENGTH_ZONES,
            SECOND,
            invokes.WavelengthZone(
                SECOND,
                "euw3-xyz1-wlz1",
                "eu-west-3-xyz-wlz-1",
                "eu-west-3-xyz-wlz-1",
                "eu-west-3b",
                "eu-west-3",
            ),
        )
        yield


@pytest.fixture(scope="module")
def single() -> PreviewResult:
    return _run(EdgeArgs())


@pytest.fixture(scope="module")
def multi(second_zone: None) -> PreviewResult:
    return _run(
        EdgeArgs(
            zones=[
                EdgeZoneArgs(fixed_carrier_ip=True),
                EdgeZoneArgs(name=SECOND, cidr="10.61.0.0/16", zone_subnet_count=2),
            ],
            nat=NatStrategy.PER_AZ,
            alb=AlbArgs(enabled=True, certificate_arn=CERT),
            eks=EksArgs(enabled=True),
        ),
        with_policies=True,
    )


def test_full_featured_edge_has_no_mandatory_violation_from_both_packs(multi: PreviewResult) -> None:
    assert {"data-residency", "security-baseline"} <= {name for name, _ in multi.policy_packs}
    assert not multi.mandatory, "\n".join(f"{v.policy} {v.urn}: {v.message}" for v in multi.mandatory)


# -- helpers ---------------------------------------------------------------------------------------


def _deps(r: RecordedResource, prop: str) -> list[str]:
    return r.property_dependencies.get(prop, [])


def _one_dep(res: PreviewResult, r: RecordedResource, prop: str, type_: str) -> RecordedResource:
    found = [res.get(u) for u in _deps(r, prop) if res.get(u).type == type_]
    assert len(found) == 1, f"{r.urn}: {prop} should come from one {type_}, got {found}"
    return found[0]


def _named(res: PreviewResult, type_: str, suffix: str) -> list[RecordedResource]:
    return [r for r in res.by_type(type_) if r.name.endswith(suffix)]


def _tier(r: RecordedResource) -> str:
    return str(r.inputs["tags"]["kasbah:tier"])


def _zone_route_tables(res: PreviewResult) -> list[RecordedResource]:
    return _named(res, T_RT, "-zone-rt")


def _routes_of(res: PreviewResult, rt: RecordedResource) -> list[RecordedResource]:
    return [r for r in res.by_type(T_ROUTE) if rt.urn in _deps(r, "routeTableId")]


def _subnets_of_table(res: PreviewResult, rt: RecordedResource) -> list[RecordedResource]:
    return [
        _one_dep(res, a, "subnetId", T_SUBNET)
        for a in res.by_type(T_RTA)
        if rt.urn in _deps(a, "routeTableId")
    ]


# -- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["single", "multi"])
def test_zone_default_route_targets_the_carrier_gateway_and_nothing_else(
    which: str, request: pytest.FixtureRequest
) -> None:
    res: PreviewResult = request.getfixturevalue(which)
    tables = _zone_route_tables(res)
    assert len(tables) == len(res.by_type(T_VPC)), "one zone route table per VPC"
    for rt in tables:
        defaults = [r for r in _routes_of(res, rt) if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"]
        assert len(defaults) == 1, f"{rt.urn}: expected one default route, got {[r.urn for r in defaults]}"
        route = defaults[0]
        targets = [k for k in ROUTE_TARGETS if route.inputs.get(k) not in (None, "")]
        assert targets == ["carrierGatewayId"], f"{route.urn}: default route targets {targets}"
        cagw = _one_dep(res, route, "carrierGatewayId", T_CAGW)
        vpc = _one_dep(res, rt, "vpcId", T_VPC)
        assert vpc.urn in _deps(cagw, "vpcId"), f"{route.urn}: carrier gateway {cagw.urn} of another VPC"
        for other in _routes_of(res, rt):
            assert not other.inputs.get("gatewayId") and not other.inputs.get("natGatewayId"), (
                f"{other.urn}: an internet or NAT gateway route in the zone route table"
            )
        for subnet in _subnets_of_table(res, rt):
            assert _tier(subnet) == "wavelength", f"{subnet.urn}: regional subnet on the zone route table"


@pytest.mark.parametrize("which", ["single", "multi"])
def test_no_nat_or_internet_gateway_reaches_zone_subnets(which: str, request: pytest.FixtureRequest) -> None:
    res: PreviewResult = request.getfixturevalue(which)
    for nat in res.by_type(T_NAT):
        subnet = _one_dep(res, nat, "subnetId", T_SUBNET)
        assert _tier(subnet) == "public", f"{nat.urn}: NAT gateway in {subnet.urn}"
    for route in res.by_type(T_ROUTE):
        if route.inputs.get("gatewayId") or route.inputs.get("natGatewayId"):
            rt = _one_dep(res, route, "routeTableId", T_RT)
            for subnet in _subnets_of_table(res, rt):
                assert _tier(subnet) != "wavelength", (
                    f"{route.urn}: IGW/NAT route reaches zone subnet {subnet.urn}"
                )
    for zone_subnet in (s for s in res.by_type(T_SUBNET) if _tier(s) == "wavelength"):
        assert zone_subnet.inputs["availabilityZone"] in (CASABLANCA, SECOND), zone_subnet.urn
        assert not zone_subnet.inputs.get("ipv6CidrBlock"), f"{zone_subnet.urn}: IPv6 in the zone"
        assert zone_subnet.inputs.get("assignIpv6AddressOnCreation") is False, zone_subnet.urn
        assert zone_subnet.inputs.get("mapPublicIpOnLaunch") is False, zone_subnet.urn
    assert len(res.by_type(T_IGW)) == len(res.by_type(T_VPC))


# -- compute ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["single", "multi"])
def test_launch_templates_require_imdsv2_and_encrypt_gp2(which: str, request: pytest.FixtureRequest) -> None:
    res: PreviewResult = request.getfixturevalue(which)
    templates = res.by_type(T_LT)
    assert templates, "no launch template"
    for lt in templates:
        meta = lt.inputs["metadataOptions"]
        assert meta["httpTokens"] == "required", f"{lt.urn}: IMDSv2 not required"
        assert meta["httpEndpoint"] == "enabled", lt.urn
        assert not lt.inputs.get("keyName"), f"{lt.urn}: SSH key set by default"
        volumes = lt.inputs["blockDeviceMappings"]
        assert volumes, f"{lt.urn}: no root volume"
        for bdm in volumes:
            ebs = bdm["ebs"]
            assert ebs["volumeType"] == "gp2", (
                f"{lt.urn}: {ebs['volumeType']} (Wavelength zones offer gp2 only)"
            )
            assert ebs["encrypted"] == "true", f"{lt.urn}: volume not encrypted"
            assert ebs.get("kmsKeyId"), f"{lt.urn}: no customer-managed key"
        _one_dep(res, lt, "blockDeviceMappings", T_KMS)
        nics = lt.inputs["networkInterfaces"]
        assert [n["associateCarrierIpAddress"] for n in nics] == ["true"], f"{lt.urn}: no carrier IP"
        assert lt.inputs.get("iamInstanceProfile", {}).get("arn"), f"{lt.urn}: no instance profile (SSM)"
        volume_tags = [t["tags"] for t in lt.inputs["tagSpecifications"] if t["resourceType"] == "volume"]
        assert volume_tags and all(t[CLASSIFICATION_TAG] == "personal" for t in volume_tags), lt.urn


def test_kms_key_policy_names_the_edges_own_autoscaling_role_created_first(single: PreviewResult) -> None:
    # Issue 11, item 5: the key named AWSServiceRoleForAutoScaling, which a fresh account does not have
    # yet (MalformedPolicyDocumentException). The edge now creates a suffixed service-linked role, the
    # key depends on it and names it, and the groups use it.
    (key,) = single.by_type(T_KMS)
    (role,) = single.by_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com", role.urn
    suffix = role.inputs["customSuffix"]
    slr = autoscaling_role_arn("123456789012", "aws", suffix)
    policy = json.loads(key.inputs["policy"])
    actions = {
        a
        for s in policy["Statement"]
        if s["Principal"].get("AWS") == slr
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"} <= actions, key.urn
    assert 'AWSServiceRoleForAutoScaling"' not in key.inputs["policy"], key.urn
    assert role.urn in key.dependencies, f"{key.urn} does not wait for {role.urn}"
    assert key.inputs["enableKeyRotation"] is True, key.urn
    assert key.inputs["policy"] == key_policy("123456789012", "aws", "eu-west-3", slr)
    for asg in single.by_type(T_ASG):
        assert role.urn in asg.property_dependencies.get("serviceLinkedRoleArn", []), asg.urn


def test_auto_scaling_group_runs_in_zone_subnets_only(multi: PreviewResult) -> None:
    for asg in multi.by_type(T_ASG):
        subnets = [multi.get(u) for u in _deps(asg, "vpcZoneIdentifiers")]
        assert subnets and all(_tier(s) == "wavelength" for s in subnets), (
            f"{asg.urn}: {[s.urn for s in subnets]}"
        )
        _one_dep(multi, asg, "launchTemplate", T_LT)


def test_security_groups_open_no_admin_port_to_anywhere(multi: PreviewResult, single: PreviewResult) -> None:
    for res in (single, multi):
        for sg in res.by_type(T_SG):
            for rule in sg.inputs.get("ingress", []):
                ports = set(range(int(rule["fromPort"]), int(rule["toPort"]) + 1))
                anywhere = "0.0.0.0/0" in rule.get("cidrBlocks", [])
                assert not (anywhere and ports & MANAGEMENT_PORTS.keys()), (
                    f"{sg.urn}: admin port open to anywhere"
                )
                assert rule["protocol"] != "-1", f"{sg.urn}: all protocols open"
    app = _named(single, T_SG, "-app-sg")[0]
    assert [(r["fromPort"], r["cidrBlocks"]) for r in app.inputs["ingress"]] == [(443, ["0.0.0.0/0"])], (
        app.urn
    )


# -- endpoints -------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["single", "multi"])
def test_interface_endpoints_only_in_regional_private_subnets(
    which: str, request: pytest.FixtureRequest
) -> None:
    res: PreviewResult = request.getfixturevalue(which)
    interfaces = [e for e in res.by_type(T_EP) if e.inputs["vpcEndpointType"] == "Interface"]
    services = sorted(e.inputs["serviceName"].rsplit(".", 1)[-1] for e in interfaces)
    assert len(interfaces) == 8 * len(res.by_type(T_VPC)), services
    for ep in interfaces:
        subnets = [res.get(u) for u in _deps(ep, "subnetIds")]
        assert len(subnets) == 2, f"{ep.urn}: {len(subnets)} subnets"
        for subnet in subnets:
            assert _tier(subnet) == "private", f"{ep.urn}: endpoint in {subnet.urn}"
            assert subnet.inputs["availabilityZone"] in ("eu-west-3a", "eu-west-3b"), (
                f"{ep.urn}: {subnet.urn}"
            )
    for s3 in (e for e in res.by_type(T_EP) if e.inputs["vpcEndpointType"] == "Gateway"):
        tables = [res.get(u) for u in _deps(s3, "routeTableIds")]
        assert any(t.name.endswith("-zone-rt") for t in tables), f"{s3.urn}: not on the zone route table"


# -- multi-zone ------------------------------------------------------------------------------------


def test_one_vpc_per_zone_joined_by_the_patterns_transit_gateway(multi: PreviewResult) -> None:
    vpcs = multi.by_type(T_VPC)
    assert sorted(v.inputs["cidrBlock"] for v in vpcs) == ["10.60.0.0/16", "10.61.0.0/16"]
    zone_subnets = [s for s in multi.by_type(T_SUBNET) if _tier(s) == "wavelength"]
    for vpc in vpcs:
        zones = {s.inputs["availabilityZone"] for s in zone_subnets if vpc.urn in _deps(s, "vpcId")}
        assert len(zones) == 1, f"{vpc.urn}: zones {zones} (two zones in one VPC cannot talk)"
    (tgw,) = multi.by_type(T_TGW)
    attachments = multi.by_type(T_ATT)
    assert len(attachments) == 2
    for att in attachments:
        assert tgw.urn in _deps(att, "transitGatewayId"), att.urn
        assert all(_tier(multi.get(u)) == "private" for u in _deps(att, "subnetIds")), (
            f"{att.urn}: non-regional subnet"
        )
    peer_routes = [r for r in multi.by_type(T_ROUTE) if r.inputs.get("transitGatewayId")]
    assert {r.inputs["destinationCidrBlock"] for r in peer_routes} == {"10.60.0.0/16", "10.61.0.0/16"}
    assert multi.outputs["edge"]["transitGatewayId"] == "[unknown]"


def test_landing_zone_transit_gateway_is_used_when_given(second_zone: None) -> None:
    res = _run(
        EdgeArgs(
            zones=[EdgeZoneArgs(), EdgeZoneArgs(name=SECOND, cidr="10.61.0.0/16")],
            transit_gateway_id="tgw-0123456789abcdef0",
        )
    )
    assert not res.by_type(T_TGW), "the pattern created its own Transit Gateway"
    atts = res.by_type(T_ATT)
    assert [a.inputs["transitGatewayId"] for a in atts] == ["tgw-0123456789abcdef0"] * 2
    assert res.outputs["edge"]["transitGatewayId"] == "tgw-0123456789abcdef0"


def test_single_zone_has_no_transit_gateway(single: PreviewResult) -> None:
    assert not single.by_type(T_TGW) and not single.by_type(T_ATT)


# -- zone group, carrier IP, flow logs, options ------------------------------------------------------


def test_zone_group_opt_in_is_resolved_and_retained(single: PreviewResult) -> None:
    (group,) = single.by_type("aws:ec2/availabilityZoneGroup:AvailabilityZoneGroup")
    assert group.inputs["groupName"] == "eu-west-3-cmn-wlz-1", group.urn
    assert group.inputs["optInStatus"] == "opted-in", group.urn
    assert group.options["retainOnDelete"] is True, f"{group.urn}: opting out needs AWS Support"
    for cagw in single.by_type(T_CAGW):
        assert group.urn in cagw.dependencies, f"{cagw.urn} does not wait for the opt-in"


def test_fixed_carrier_ip_only_when_asked(single: PreviewResult, multi: PreviewResult) -> None:
    assert not [e for e in single.by_type(T_EIP) if e.inputs.get("networkBorderGroup")], "unasked carrier IP"
    carrier = [e for e in multi.by_type(T_EIP) if e.inputs.get("networkBorderGroup")]
    assert [e.inputs["networkBorderGroup"] for e in carrier] == ["eu-west-3-cmn-wlz-1"], [
        e.urn for e in carrier
    ]
    zones = multi.outputs["edge"]["zones"]
    assert "carrierIp" in zones[CASABLANCA] and "carrierIp" not in zones[SECOND]


def test_flow_logs_on_every_vpc_into_a_classified_log_group(multi: PreviewResult) -> None:
    for vpc in multi.by_type(T_VPC):
        logs = [f for f in multi.by_type("aws:ec2/flowLog:FlowLog") if vpc.urn in _deps(f, "vpcId")]
        assert len(logs) == 1, f"{vpc.urn}: {len(logs)} flow logs"
    for group in multi.by_type("aws:cloudwatch/logGroup:LogGroup"):
        assert group.inputs["tags"][CLASSIFICATION_TAG] == "internal", group.urn
        assert group.inputs.get("kmsKeyId"), f"{group.urn}: not encrypted with the key"


def test_alb_in_zone_serves_https_and_redirects_http(multi: PreviewResult) -> None:
    lbs = multi.by_type("aws:lb/loadBalancer:LoadBalancer")
    assert len(lbs) == 2
    for lb in lbs:
        assert all(_tier(multi.get(u)) == "wavelength" for u in _deps(lb, "subnets")), lb.urn
    listeners = multi.by_type("aws:lb/listener:Listener")
    https = [x for x in listeners if x.inputs["protocol"] == "HTTPS"]
    http = [x for x in listeners if x.inputs["protocol"] == "HTTP"]
    assert len(https) == len(http) == 2
    assert all(x.inputs["certificateArn"] == CERT for x in https)
    for x in http:
        assert [a["type"] for a in x.inputs["defaultActions"]] == ["redirect"], (
            f"{x.urn}: HTTP not only a redirect"
        )
    assert "loadBalancerName" in multi.outputs["edge"]["zones"][SECOND]


def test_eks_control_plane_in_region_nodes_in_zone(multi: PreviewResult) -> None:
    clusters = multi.by_type("aws:eks/cluster:Cluster")
    assert len(clusters) == 2
    for cluster in clusters:
        subnets = [multi.get(u) for u in _deps(cluster, "vpcConfig") if multi.get(u).type == T_SUBNET]
        assert subnets and all(_tier(s) == "private" for s in subnets), cluster.urn
        assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False, cluster.urn
    nodes = _named(multi, T_ASG, "-eks-nodes")
    assert len(nodes) == 2
    for asg in nodes:
        assert all(_tier(multi.get(u)) == "wavelength" for u in _deps(asg, "vpcZoneIdentifiers")), asg.urn


def test_outputs_per_zone(single: PreviewResult) -> None:
    zone = single.outputs["edge"]["zones"][CASABLANCA]
    for key in (
        "autoScalingGroupName",
        "carrierGatewayId",
        "zoneSubnetIds",
        "zoneRouteTableId",
        "endpointIds",
    ):
        assert key in zone, key
    assert sorted(zone["endpointIds"]) == sorted(
        ["ssm", "ssmmessages", "ec2messages", "ecr.api", "ecr.dkr", "logs", "sts", "kms", "s3"]
    )
    assert "loadBalancerName" not in zone and "carrierIp" not in zone


def test_blueprint_outputs_cover_every_zone(multi: PreviewResult) -> None:
    stack = multi.outputs["stack"]
    assert set(stack) == set(BLUEPRINT_OUTPUTS), sorted(set(stack) ^ set(BLUEPRINT_OUTPUTS))
    for key in (
        "vpcIds",
        "zoneSubnetIds",
        "zoneRouteTableIds",
        "carrierGatewayIds",
        "autoScalingGroups",
        "endpointIds",
    ):
        assert sorted(stack[key]) == sorted([CASABLANCA, SECOND]), key
    assert sorted(stack["loadBalancerNames"]) == sorted([CASABLANCA, SECOND])
    assert list(stack["carrierIps"]) == [CASABLANCA]


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (EdgeArgs(zones=[EdgeZoneArgs(name="eu-west-3a")]), "EdgeArgs.zones[0].name"),
        (
            EdgeArgs(zones=[EdgeZoneArgs(name="us-east-1-wl1-bos-wlz-1a")]),
            "EdgeArgs.zones[0].name and aws:region",
        ),
        (EdgeArgs(zones=[EdgeZoneArgs(ipv6=True)]), "EdgeArgs.zones[0].ipv6"),
        (EdgeArgs(zones=[EdgeZoneArgs(instance_type="m7i.large")]), "EdgeArgs.zones[0].instanceType"),
        (
            EdgeArgs(zones=[EdgeZoneArgs(data_classification=DataClassification.SENSITIVE)]),
            "EdgeArgs.zones[0].dataClassification",
        ),
    ],
)
def test_bad_input_fails_before_any_resource_is_registered(args: EdgeArgs, key: str) -> None:
    caught: list[ConfigError] = []

    def program() -> None:
        try:
            WavelengthEdge("edge", args)
        except ConfigError as err:
            caught.append(err)

    res = preview_program(program, config=CONFIG, policy_packs=[])
    assert [r.type for r in res.resources] == ["pulumi:pulumi:Stack"], [r.urn for r in res.resources]
    assert len(caught) == 1 and caught[0].key == key, caught
    with pytest.raises(PreviewError) as info:
        _run(args)
    assert info.value.message == f"configuration error: {caught[0]}"
    assert "\n" not in info.value.message


def _fake_az(zone_type: str, region: str) -> Callable[[Mapping[str, Any], Any], dict[str, Any]]:
    def answer(args: Mapping[str, Any], ctx: Any) -> dict[str, Any]:
        assert args.get("allAvailabilityZones") is True, "the zone is resolved without all_availability_zones"
        return {
            "id": args["name"],
            "name": args["name"],
            "zoneId": "x",
            "groupName": "g",
            "groupLongName": "g",
            "networkBorderGroup": "g",
            "optInStatus": "opted-in",
            "parentZoneId": "",
            "parentZoneName": "",
            "region": region,
            "state": "available",
            "zoneType": zone_type,
            "nameSuffix": "x",
        }

    return answer


@pytest.mark.parametrize(
    ("zone_type", "region", "key"),
    [
        ("local-zone", "eu-west-3", "EdgeArgs.zones[0].name"),
        ("wavelength-zone", "eu-west-1", "EdgeArgs.zones[0].name and aws:region"),
    ],
)
def test_zone_is_checked_against_what_aws_answers_at_deploy_time(
    monkeypatch: pytest.MonkeyPatch, zone_type: str, region: str, key: str
) -> None:
    monkeypatch.setitem(
        invokes.REGISTRY, "aws:index/getAvailabilityZone:getAvailabilityZone", _fake_az(zone_type, region)
    )
    with pytest.raises(PreviewError) as info:
        _run(EdgeArgs())
    assert info.value.message.startswith(f"configuration error: {key}: AWS reports"), info.value.message


def test_resolved_zone_check_is_pure() -> None:
    check_resolved_zone("k", CASABLANCA, "wavelength-zone", "eu-west-3", "eu-west-3")
    with pytest.raises(ConfigError) as info:
        check_resolved_zone("k", CASABLANCA, "availability-zone", "eu-west-3", "eu-west-3")
    assert info.value.key == "k"
