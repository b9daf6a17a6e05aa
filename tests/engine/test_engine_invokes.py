"""The canned invoke registry: answers are pure, deterministic and agree with the stack config."""

from __future__ import annotations

import json

import pytest

from kasbah.engine.clouds import NotAnswered
from kasbah.invokes import InvokeContext, InvokeFailure, answer, describe

# As the monitor builds it for the default provider: its inputs come from the `aws:` stack config.
CTX = InvokeContext(
    config={"aws:region": "eu-west-3", "kasbah:accountId": "123456789012"},
    provider_inputs={"region": "eu-west-3"},
)


def test_policy_document_renders_iam_json_deterministically() -> None:
    args = {
        "statements": [
            {
                "sid": "TlsOnly",
                "effect": "Deny",
                "actions": ["s3:*"],
                "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "principals": [{"type": "*", "identifiers": ["*"]}],
                "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
            }
        ]
    }
    first, second = (
        answer("aws:iam/getPolicyDocument:getPolicyDocument", args, CTX),
        answer("aws:iam/getPolicyDocument:getPolicyDocument", args, CTX),
    )
    assert first == second
    assert json.loads(first["json"])["Statement"] == [
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Principal": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_zone_answers_follow_the_provider_region() -> None:
    assert answer("aws:index/getAvailabilityZone:getAvailabilityZone", {"name": "eu-west-3b"}, CTX)[
        "zoneType"
    ] == ("availability-zone")
    with pytest.raises(InvokeFailure, match="is not opted in"):
        answer("aws:index/getAvailabilityZone:getAvailabilityZone", {"name": "eu-west-3-cmn-wlz-1a"}, CTX)
    spain = InvokeContext(config=CTX.config, provider_inputs={"region": "eu-south-2"})
    with pytest.raises(InvokeFailure, match="is not in eu-south-2"):
        answer(
            "aws:index/getAvailabilityZone:getAvailabilityZone",
            {"name": "eu-west-3-cmn-wlz-1a", "allAvailabilityZones": True},
            spain,
        )
    assert answer("aws:index/getCallerIdentity:getCallerIdentity", {}, CTX)["accountId"] == "123456789012"


def test_every_answer_is_documented() -> None:
    assert all(doc for _, doc in describe())


# --- the default VPC and Route 53 (issue 17) ---------------------------------------------------------

VPC = "aws:ec2/getVpc:getVpc"
SUBNETS = "aws:ec2/getSubnets:getSubnets"
SUBNET = "aws:ec2/getSubnet:getSubnet"


def test_the_default_vpc_is_the_accounts_172_31_0_0_16_with_one_20_per_zone() -> None:
    vpc = answer(VPC, {"default": True}, CTX)
    assert vpc["cidrBlock"] == "172.31.0.0/16" and vpc["default"] is True
    assert vpc["ownerId"] == "123456789012" and vpc["region"] == "eu-west-3"
    assert vpc["arn"] == f"arn:aws:ec2:eu-west-3:123456789012:vpc/{vpc['id']}"
    assert answer(VPC, {"id": vpc["id"]}, CTX)["id"] == vpc["id"]
    ids = answer(SUBNETS, {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]}, CTX)["ids"]
    subnets = [answer(SUBNET, {"id": i}, CTX) for i in ids]
    assert [(s["availabilityZone"], s["cidrBlock"]) for s in subnets] == [
        ("eu-west-3a", "172.31.0.0/20"),
        ("eu-west-3b", "172.31.16.0/20"),
        ("eu-west-3c", "172.31.32.0/20"),
    ]
    assert all(s["vpcId"] == vpc["id"] and s["defaultForAz"] and s["mapPublicIpOnLaunch"] for s in subnets)


def test_default_vpc_ids_follow_the_account_and_region_and_never_change() -> None:
    other = InvokeContext(
        config={"kasbah:accountId": "210987654321"}, provider_inputs={"region": "eu-south-2"}
    )
    assert answer(VPC, {"default": True}, CTX)["id"] == answer(VPC, {"default": True}, CTX)["id"]
    assert answer(VPC, {"default": True}, CTX)["id"] != answer(VPC, {"default": True}, other)["id"]
    assert answer(SUBNETS, {"filters": [{"name": "default-for-az", "values": ["true"]}]}, other)["ids"][
        0
    ].startswith("subnet-")


def test_subnet_filters_narrow_the_default_subnets() -> None:
    vpc = answer(VPC, {"default": True}, CTX)["id"]
    one = answer(
        SUBNETS,
        {
            "filters": [
                {"name": "vpc-id", "values": [vpc]},
                {"name": "availability-zone", "values": ["eu-west-3b"]},
            ]
        },
        CTX,
    )
    assert len(one["ids"]) == 1
    sub = answer(SUBNET, {"vpcId": vpc, "availabilityZone": "eu-west-3c", "defaultForAz": True}, CTX)
    assert sub["cidrBlock"] == "172.31.32.0/20"


@pytest.mark.parametrize(
    ("token", "args", "why"),
    [
        (VPC, {"tags": {"Name": "shared"}}, "looked up by tags"),
        (
            VPC,
            {"filters": [{"name": "tag:Name", "values": ["shared"]}]},
            "only the default VPC is known offline",
        ),
        (VPC, {"id": "vpc-0123456789abcdef0"}, "only the default VPC is known offline"),
        (
            SUBNETS,
            {"filters": [{"name": "vpc-id", "values": ["vpc-0123456789abcdef0"]}]},
            "default VPC's subnets",
        ),
        (
            SUBNETS,
            {
                "filters": [
                    {"name": "default-for-az", "values": ["true"]},
                    {"name": "tag:Tier", "values": ["x"]},
                ]
            },
            "filter 'tag:Tier'",
        ),
        ("aws:route53/getZone:getZone", {"zoneId": "Z0123456789"}, "its name is not known offline"),
    ],
)
def test_lookups_only_the_real_account_can_answer_are_not_answered(token: str, args: dict, why: str) -> None:
    with pytest.raises(NotAnswered, match=why):
        answer(token, args, CTX)


def test_the_default_security_group_route_table_and_gateway_agree_with_the_vpc() -> None:
    vpc = answer(VPC, {"default": True}, CTX)
    sg = answer("aws:ec2/getSecurityGroup:getSecurityGroup", {"vpcId": vpc["id"], "name": "default"}, CTX)
    assert (sg["name"], sg["vpcId"]) == ("default", vpc["id"])
    igw = answer(
        "aws:ec2/getInternetGateway:getInternetGateway",
        {"filters": [{"name": "attachment.vpc-id", "values": [vpc["id"]]}]},
        CTX,
    )
    subnet = answer(SUBNETS, {"filters": [{"name": "vpc-id", "values": [vpc["id"]]}]}, CTX)["ids"][0]
    rt = answer("aws:ec2/getRouteTable:getRouteTable", {"subnetId": subnet}, CTX)
    assert rt["id"] == vpc["mainRouteTableId"]
    assert rt["routes"][0]["cidrBlock"] == "0.0.0.0/0" and rt["routes"][0]["gatewayId"] == igw["id"]


def test_a_hosted_zone_looked_up_by_name_has_a_stable_id_and_four_name_servers() -> None:
    zone = answer("aws:route53/getZone:getZone", {"name": "Shop.Example.ma."}, CTX)
    assert zone["name"] == "shop.example.ma"
    assert zone["zoneId"] == zone["id"] and zone["zoneId"].startswith("Z") and len(zone["zoneId"]) == 21
    assert zone["arn"] == f"arn:aws:route53:::hostedzone/{zone['zoneId']}"
    assert len(zone["nameServers"]) == 4 and zone["privateZone"] is False
    private = answer("aws:route53/getZone:getZone", {"name": "shop.example.ma", "privateZone": True}, CTX)
    assert private["zoneId"] != zone["zoneId"] and private["nameServers"] == []
    again = answer("aws:route53/getZone:getZone", {"name": "shop.example.ma", "zoneId": zone["zoneId"]}, CTX)
    assert again["zoneId"] == zone["zoneId"]
