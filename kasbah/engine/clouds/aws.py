"""AWS in the engine registry: default-provider checks, the ``tagsAll`` emulation, canned invokes.

Every answer agrees with the stack's configuration: the region comes from the invoke's
provider (explicit provider inputs, else ``aws:region``, else the ``AWS_REGION`` /
``AWS_DEFAULT_REGION`` environment variables the provider reads); the account from
``kasbah:accountId``. A provider with no region at all is refused as the provider refuses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kasbah import facts
from kasbah.engine.clouds.base import (
    Answer,
    Cloud,
    InvokeContext,
    InvokeFailure,
    NotAnswered,
    ProviderConfigError,
    json_or_value,
    sdk_class_has,
)
from kasbah.engine.model import PROVIDER_PREFIX, UNKNOWN_SENTINEL

DEFAULT_ACCOUNT_ID = "111111111111"
REGION_ENV_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")
# pulumi-aws's message for a provider without a region (the bridge's CheckConfig of the required
# `region` key; `pulumi config set aws:region <value>` or AWS_REGION / AWS_DEFAULT_REGION).
MISSING_REGION = (
    'missing required configuration key "aws:region": The region where AWS operations will take place. '
    "Examples are us-east-1, us-west-2, etc. Fix: `pulumi config set aws:region <value>` "
    "(or set the region on the explicit provider)"
)


@dataclass(frozen=True)
class WavelengthZone:
    name: str
    zone_id: str
    group_name: str
    network_border_group: str
    parent_zone_name: str
    region: str


# Wavelength zones known offline, from kasbah.facts (Casablanca's name, border group and id are medium
# confidence, resolved for real at deploy time). The zone group name is unconfirmed: offline, the
# border group stands in for it.
WAVELENGTH_ZONES: dict[str, WavelengthZone] = {
    z.name: WavelengthZone(
        z.name,
        z.zone_id,
        z.group_name or z.network_border_group,
        z.network_border_group,
        z.parent_zone,
        z.parent_region,
    )
    for z in facts.WAVELENGTH_ZONES.values()
}


# --------------------------------------------------------------------------------------------------
# The provider: CheckConfig and the part of Check that policies observe


def _provider_region(provider_inputs: Mapping[str, Any], environment: Mapping[str, str]) -> str | None:
    region = provider_inputs.get("region")
    if region:
        return str(region)
    for var in REGION_ENV_VARS:
        if environment.get(var):
            return str(environment[var])
    return None


def check_config(package: str, provider_inputs: Mapping[str, Any], environment: Mapping[str, str]) -> None:
    """The provider refuses a configuration without a region (from inputs or the environment)."""
    if _provider_region(provider_inputs, environment) is None:
        raise ProviderConfigError(MISSING_REGION)


def has_tags_all(type_: str) -> bool:
    """Whether an AWS resource type has ``tagsAll`` (so the provider computes it from defaultTags)."""
    return sdk_class_has("pulumi_aws", type_, "tags_all")


def default_tags(provider_inputs: Mapping[str, Any]) -> dict[str, Any] | str | None:
    """``defaultTags.tags`` of an AWS provider's inputs (JSON string or object); UNKNOWN if unknown."""
    raw = provider_inputs.get("defaultTags")
    if raw is None:
        return None
    if raw == UNKNOWN_SENTINEL:
        return UNKNOWN_SENTINEL
    value = json_or_value(raw)
    if not isinstance(value, dict):
        return None
    tags = value.get("tags")
    if tags == UNKNOWN_SENTINEL:
        return UNKNOWN_SENTINEL
    return dict(tags) if isinstance(tags, dict) else None


def emulate_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The provider-side Check step policies can see: ``tagsAll`` from ``defaultTags`` and ``tags``."""
    if type_.startswith(PROVIDER_PREFIX) or not has_tags_all(type_):
        return wire
    default = default_tags(provider_inputs)
    tags = wire.get("tags")
    if default is None and tags is None:
        return wire
    out = dict(wire)
    if default == UNKNOWN_SENTINEL or tags == UNKNOWN_SENTINEL:
        out["tagsAll"] = UNKNOWN_SENTINEL
        return out
    merged: dict[str, Any] = {}
    if isinstance(default, dict):
        merged.update(default)
    if isinstance(tags, dict):
        merged.update(tags)
    out["tagsAll"] = merged
    return out


def emulate_outputs(
    type_: str, outputs: dict[str, Any], provider_inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """The provider plans ``region`` (pulumi-aws 7: "defaults to the Region set in the provider
    configuration") from its own region: known in a preview, not computed later."""
    if outputs.get("region") == UNKNOWN_SENTINEL and provider_inputs.get("region"):
        return {**outputs, "region": provider_inputs["region"]}
    return outputs


_ACCOUNT_KEYS = ("assumeRoles", "assumeRole", "assumeRoleWithWebIdentity")


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    """The account an AWS provider targets: ``allowedAccountIds[0]`` or the account of its assumed role."""
    import re

    ids = json_or_value(provider_inputs.get("allowedAccountIds"))
    if isinstance(ids, list) and ids:
        return str(ids[0])
    for key in _ACCOUNT_KEYS:
        match = re.search(
            r"arn:aws[\w-]*:iam::(\d{12}):", json.dumps(json_or_value(provider_inputs.get(key)))
        )
        if match:
            return match.group(1)
    return None


# --------------------------------------------------------------------------------------------------
# Canned invokes

INVOKES: dict[str, Answer] = {}


def _register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        INVOKES[token] = fn
        return fn

    return deco


def region(ctx: InvokeContext) -> str:
    """The invoke's region: its provider's, else the environment's; refused as the provider refuses none."""
    found = _provider_region(ctx.provider_inputs, ctx.environment)
    if found is None:
        raise InvokeFailure(MISSING_REGION)
    return found


def account_id(ctx: InvokeContext) -> str:
    return str(ctx.config.get("kasbah:accountId") or DEFAULT_ACCOUNT_ID)


def _zones(region_: str) -> list[str]:
    return [f"{region_}{s}" for s in "abc"]


def _zone_id(region_: str, name: str) -> str:
    short = "".join(p[0] for p in region_.split("-")[:-1]) + region_.split("-")[-1]
    return f"{short}-az{ord(name[-1]) - ord('a') + 1}"


@_register("aws:index/getAvailabilityZones:getAvailabilityZones")
def _aws_azs(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The three AZs of the provider's region (a, b, c); Wavelength zones when ``allAvailabilityZones``."""
    reg = region(ctx)
    names = _zones(reg)
    if args.get("allAvailabilityZones"):
        names += [z.name for z in WAVELENGTH_ZONES.values() if z.region == reg]
    return {
        "id": reg,
        "names": names,
        "zoneIds": [
            WAVELENGTH_ZONES[n].zone_id if n in WAVELENGTH_ZONES else _zone_id(reg, n) for n in names
        ],
        "groupNames": [WAVELENGTH_ZONES[n].group_name if n in WAVELENGTH_ZONES else reg for n in names],
        "state": args.get("state") or "available",
    }


@_register("aws:index/getAvailabilityZone:getAvailabilityZone")
def _aws_az(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """One zone's facts: a regional AZ of the provider's region, or a Wavelength zone from the table."""
    reg = region(ctx)
    name = args.get("name")
    zone_id = args.get("zoneId")
    wlz = WAVELENGTH_ZONES.get(str(name)) or next(
        (z for z in WAVELENGTH_ZONES.values() if z.zone_id == zone_id), None
    )
    if wlz is not None:
        if wlz.region != reg:
            raise InvokeFailure(f"no matching Availability Zone found ({wlz.name} is not in {reg})")
        if not args.get("allAvailabilityZones"):
            raise InvokeFailure(
                f"no matching Availability Zone found ({wlz.name} is not opted in: pass all_availability_zones=True)"
            )
        return {
            "id": wlz.name,
            "name": wlz.name,
            "zoneId": wlz.zone_id,
            "groupName": wlz.group_name,
            "groupLongName": f"{wlz.group_name} (Casablanca)" if "cmn" in wlz.name else wlz.group_name,
            "networkBorderGroup": wlz.network_border_group,
            "optInStatus": "opted-in",
            "parentZoneId": _zone_id(reg, wlz.parent_zone_name),
            "parentZoneName": wlz.parent_zone_name,
            "region": reg,
            "state": "available",
            "zoneType": "wavelength-zone",
            "nameSuffix": wlz.name.removeprefix(reg + "-"),
        }
    zones = _zones(reg)
    if name is None and zone_id is not None:
        name = next((z for z in zones if _zone_id(reg, z) == zone_id), None)
    if name not in zones:
        raise InvokeFailure(
            f"no matching Availability Zone found (name={name!r}, zone_id={zone_id!r}, region {reg})"
        )
    return {
        "id": name,
        "name": name,
        "zoneId": _zone_id(reg, str(name)),
        "groupName": reg,
        "groupLongName": reg,
        "networkBorderGroup": reg,
        "optInStatus": "opt-in-not-required",
        "parentZoneId": "",
        "parentZoneName": "",
        "region": reg,
        "state": "available",
        "zoneType": "availability-zone",
        "nameSuffix": str(name)[-1],
    }


@_register("aws:index/getCallerIdentity:getCallerIdentity")
def _aws_caller(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The account from ``kasbah:accountId`` (default 111111111111), as the deployment role."""
    region(ctx)  # the provider cannot be configured without one
    acct = account_id(ctx)
    return {
        "id": acct,
        "accountId": acct,
        "arn": f"arn:aws:sts::{acct}:assumed-role/kasbah-deployer/offline",
        "userId": "AROAOFFLINE:offline",
    }


@_register("aws:index/getRegion:getRegion")
def _aws_region(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The provider's region (or the region the invoke names)."""
    provider_region = region(ctx)
    reg = str(args.get("region") or args.get("name") or provider_region)
    return {
        "id": reg,
        "name": reg,
        "region": reg,
        "description": reg,
        "endpoint": f"ec2.{reg}.amazonaws.com",
    }


@_register("aws:index/getPartition:getPartition")
def _aws_partition(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The commercial partition."""
    region(ctx)
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


@_register("aws:organizations/getOrganization:getOrganization")
def _aws_org(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing organization: id from ``kasbah:organizationId`` (default o-0ffline000), root id from
    ``kasbah:organizationRootId`` (default r-0ffl); its accounts are the management account and the
    member accounts the stack adopts (``kasbah:accounts.<role>.id``), all ACTIVE."""
    region(ctx)
    org = str(ctx.config.get("kasbah:organizationId") or "o-0ffline000")
    root = str(ctx.config.get("kasbah:organizationRootId") or "r-0ffl")
    acct = account_id(ctx)
    accounts = [_org_account(org, acct, acct, "Management")]
    adopted = ctx.config.get("kasbah:accounts")
    if isinstance(adopted, str):
        adopted = json.loads(adopted)
    for role, spec in (adopted or {}).items():
        if isinstance(spec, Mapping) and spec.get("id"):
            accounts.append(_org_account(org, acct, str(spec["id"]), str(spec.get("name") or role)))
    return {
        "id": org,
        "arn": f"arn:aws:organizations::{acct}:organization/{org}",
        "featureSet": "ALL",
        "masterAccountId": acct,
        "masterAccountArn": f"arn:aws:organizations::{acct}:account/{org}/{acct}",
        "masterAccountEmail": "management@example.com",
        "roots": [
            {
                "id": root,
                "arn": f"arn:aws:organizations::{acct}:root/{org}/{root}",
                "name": "Root",
                "policyTypes": [{"status": "ENABLED", "type": "SERVICE_CONTROL_POLICY"}],
            }
        ],
        # An adopted organization already integrated with the services a landing zone needs (the
        # AWS SRA set); Kasbah's brownfield check refuses an organization that lacks one.
        "awsServiceAccessPrincipals": list(ADOPTED_ORGANIZATION_TRUSTED_SERVICES),
        "enabledPolicyTypes": ["SERVICE_CONTROL_POLICY"],
        "accounts": accounts,
        "nonMasterAccounts": [a for a in accounts if a["id"] != acct],
    }


def _org_account(org: str, management: str, account_id: str, name: str) -> dict[str, Any]:
    return {
        "id": account_id,
        "arn": f"arn:aws:organizations::{management}:account/{org}/{account_id}",
        "name": name,
        "email": f"aws+{account_id}@example.com",
        "joinedMethod": "CREATED",
        "joinedTimestamp": "2024-01-01T00:00:00Z",
        "state": "ACTIVE",
        "status": "ACTIVE",
    }


ADOPTED_ORGANIZATION_TRUSTED_SERVICES: tuple[str, ...] = (
    "access-analyzer.amazonaws.com",
    "account.amazonaws.com",
    "backup.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "config.amazonaws.com",
    "guardduty.amazonaws.com",
    "malware-protection.guardduty.amazonaws.com",
    "ram.amazonaws.com",
    "securityhub.amazonaws.com",
    "sso.amazonaws.com",
)
"""Trusted access of the organization that ``getOrganization`` describes offline."""


@_register("aws:guardduty/getDetector:getDetector")
def _aws_guardduty_detector(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The detector of the account and region (GuardDuty enabled, e.g. by the delegated-admin designation)."""
    reg = str(args.get("region") or region(ctx))
    allowed = ctx.provider_inputs.get("allowedAccountIds") or []
    acct = str(allowed[0]) if len(allowed) == 1 and str(allowed[0]).isdigit() else account_id(ctx)
    detector_id = str(args.get("id") or hashlib.sha256(f"{acct}/{reg}".encode()).hexdigest()[:32])
    return {
        "id": detector_id,
        "findingPublishingFrequency": "SIX_HOURS",
        "serviceRoleArn": f"arn:aws:iam::{acct}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
        "status": "ENABLED",
        "features": [],
        "region": reg,
        "tags": {},
    }


@_register("aws:ssm/getParameter:getParameter")
def _aws_ssm_param(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Public SSM parameters (e.g. the latest Amazon Linux AMI id): a stable placeholder AMI id."""
    reg = region(ctx)
    name = str(args.get("name"))
    value = "ami-0offline0000000001" if "/ami/" in name or "ami" in name.lower() else f"offline:{name}"
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{reg}::parameter{name}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": False,
    }


@_register("aws:ec2/getAmi:getAmi")
def _aws_ami(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The most recent AMI matching the filters: a stable placeholder, x86_64, EBS-backed."""
    region(ctx)
    return {
        "id": "ami-0offline0000000001",
        "imageId": "ami-0offline0000000001",
        "architecture": "x86_64",
        "name": "al2023-ami-offline",
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "owners": args.get("owners") or ["amazon"],
        "mostRecent": bool(args.get("mostRecent")),
    }


@_register("aws:iam/getPolicyDocument:getPolicyDocument")
def _aws_policy_doc(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Renders the statements to IAM JSON, as the provider does."""
    region(ctx)
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect") or "Allow"
        for src, dst in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if st.get(src):
                vals = st[src]
                out[dst] = vals[0] if len(vals) == 1 else sorted(vals)
        for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if st.get(src):
                prin: dict[str, Any] = {}
                for p in st[src]:
                    ids = p.get("identifiers") or []
                    if p.get("type") == "*":
                        prin = "*"  # type: ignore[assignment]
                        break
                    prin[p["type"]] = ids[0] if len(ids) == 1 else sorted(ids)
                out[dst] = prin
        if st.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in st["conditions"]:
                vals = c.get("values") or []
                cond.setdefault(c["test"], {})[c["variable"]] = vals[0] if len(vals) == 1 else vals
            out["Condition"] = cond
        statements.append(out)
    doc = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=2)
    return {
        "id": hashlib.sha256(text.encode()).hexdigest()[:10],
        "json": text,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
    }


# --------------------------------------------------------------------------------------------------
# The default VPC of the account and region, and what is looked up in it
#
# Every account has a default VPC per region unless it was deleted: 172.31.0.0/16, a /20 default subnet
# per Availability Zone (172.31.0.0/20, 172.31.16.0/20, ...), an internet gateway, a main route table
# with a 0.0.0.0/0 route to it, and a security group named "default"
# (https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html). Ids are derived from the account
# and region, so every run of a stack sees the same ones. Lookups Kasbah cannot know offline (a VPC or
# subnet found by tag, another VPC) are not answered: NotAnswered, an error unless --unknown-invokes.

DEFAULT_VPC_CIDR = "172.31.0.0/16"


def _hex_id(prefix: str, *parts: str, length: int = 17) -> str:
    return f"{prefix}-{hashlib.sha256('/'.join(parts).encode()).hexdigest()[:length]}"


@dataclass(frozen=True)
class DefaultSubnet:
    id: str
    cidr: str
    zone: str
    zone_id: str


@dataclass(frozen=True)
class DefaultVpc:
    account: str
    region: str

    @property
    def id(self) -> str:
        return _hex_id("vpc", self.account, self.region, "default-vpc")

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:vpc/{self.id}"

    @property
    def igw(self) -> str:
        return _hex_id("igw", self.account, self.region, "default-igw")

    @property
    def main_route_table(self) -> str:
        return _hex_id("rtb", self.account, self.region, "default-main")

    @property
    def security_group(self) -> str:
        return _hex_id("sg", self.account, self.region, "default-sg")

    @property
    def subnets(self) -> list[DefaultSubnet]:
        return [
            DefaultSubnet(
                _hex_id("subnet", self.account, self.region, zone),
                f"172.31.{16 * i}.0/20",
                zone,
                _zone_id(self.region, zone),
            )
            for i, zone in enumerate(_zones(self.region))
        ]


def default_vpc(ctx: InvokeContext) -> DefaultVpc:
    return DefaultVpc(account_id(ctx), region(ctx))


_TRUE = ("true", "True", True)


def _filters(args: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    return [(str(f.get("name")), [str(v) for v in f.get("values") or []]) for f in args.get("filters") or []]


def _match(facts: Mapping[str, str], filters: list[tuple[str, list[str]]], token: str) -> bool:
    """EC2 filter semantics: every filter matches (values are alternatives). A filter on something the
    offline model does not describe (a tag, an attribute not listed) cannot be answered."""
    for name, values in filters:
        if name not in facts:
            raise NotAnswered(f"filter {name!r} is not known offline for {token}")
        if facts[name] not in values:
            return False
    return True


def _subnet_facts(vpc: DefaultVpc, subnet: DefaultSubnet) -> dict[str, str]:
    return {
        "vpc-id": vpc.id,
        "subnet-id": subnet.id,
        "default-for-az": "true",
        "defaultForAz": "true",
        "availability-zone": subnet.zone,
        "availabilityZone": subnet.zone,
        "availability-zone-id": subnet.zone_id,
        "availabilityZoneId": subnet.zone_id,
        "cidr-block": subnet.cidr,
        "cidrBlock": subnet.cidr,
        "map-public-ip-on-launch": "true",
        "state": "available",
        "owner-id": vpc.account,
    }


def _no_tags(args: Mapping[str, Any], token: str) -> None:
    if args.get("tags"):
        raise NotAnswered(
            f"{token} looked up by tags: only the default VPC and its subnets are known offline"
        )


def _pins_default(vpc: DefaultVpc, args: Mapping[str, Any], filters: list[tuple[str, list[str]]]) -> bool:
    pinned = {n: v for n, v in filters}
    return (
        args.get("vpcId") == vpc.id
        or pinned.get("vpc-id") == [vpc.id]
        or any(v in ("true",) for v in pinned.get("default-for-az", []) + pinned.get("defaultForAz", []))
    )


@_register("aws:ec2/getVpc:getVpc")
def _aws_vpc(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The default VPC of the account and region (172.31.0.0/16), looked up with ``default=True``, its id or filters."""
    token = "aws:ec2/getVpc:getVpc"
    vpc = default_vpc(ctx)
    _no_tags(args, token)
    filters = _filters(args)
    facts = {
        "vpc-id": vpc.id,
        "isDefault": "true",
        "is-default": "true",
        "cidr": DEFAULT_VPC_CIDR,
        "cidr-block": DEFAULT_VPC_CIDR,
        "cidrBlock": DEFAULT_VPC_CIDR,
        "state": "available",
        "owner-id": vpc.account,
    }
    wanted_default = args.get("default") in _TRUE or any(
        n in ("isDefault", "is-default") and "true" in v for n, v in filters
    )
    named = args.get("id") == vpc.id or ("vpc-id", [vpc.id]) in filters
    if not (wanted_default or named):
        raise NotAnswered("only the default VPC is known offline (look it up with default=True)")
    if args.get("id") not in (None, vpc.id) or args.get("cidrBlock") not in (None, DEFAULT_VPC_CIDR):
        raise NotAnswered("the lookup does not describe the default VPC")
    if not _match(facts, filters, token):
        raise InvokeFailure("no matching EC2 VPC found")
    return {
        "id": vpc.id,
        "arn": vpc.arn,
        "cidrBlock": DEFAULT_VPC_CIDR,
        "cidrBlockAssociations": [
            {
                "associationId": _hex_id("vpc-cidr-assoc", vpc.id),
                "cidrBlock": DEFAULT_VPC_CIDR,
                "state": "associated",
            }
        ],
        "default": True,
        "dhcpOptionsId": _hex_id("dopt", vpc.account, vpc.region),
        "enableDnsHostnames": True,
        "enableDnsSupport": True,
        "enableNetworkAddressUsageMetrics": False,
        "filters": args.get("filters"),
        "instanceTenancy": "default",
        "ipv6AssociationId": "",
        "ipv6CidrBlock": "",
        "mainRouteTableId": vpc.main_route_table,
        "ownerId": vpc.account,
        "region": vpc.region,
        "state": "available",
        "tags": {},
    }


def _default_subnets(
    args: Mapping[str, Any], ctx: InvokeContext, token: str
) -> tuple[DefaultVpc, list[DefaultSubnet]]:
    vpc = default_vpc(ctx)
    _no_tags(args, token)
    filters = _filters(args)
    if args.get("id") is not None:
        filters.append(("subnet-id", [str(args["id"])]))
    for key, name in (
        ("availabilityZone", "availability-zone"),
        ("availabilityZoneId", "availability-zone-id"),
        ("cidrBlock", "cidr-block"),
        ("vpcId", "vpc-id"),
    ):
        if args.get(key) is not None:
            filters.append((name, [str(args[key])]))
    if args.get("defaultForAz") is not None:
        filters.append(("default-for-az", [str(args["defaultForAz"]).lower()]))
    by_id = args.get("id") is not None and any(s.id == args["id"] for s in vpc.subnets)
    if not (by_id or _pins_default(vpc, args, filters)):
        raise NotAnswered(
            "only the default VPC's subnets are known offline (filter on its vpc-id or default-for-az)"
        )
    return vpc, [s for s in vpc.subnets if _match(_subnet_facts(vpc, s), filters, token)]


@_register("aws:ec2/getSubnets:getSubnets")
def _aws_subnets(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The default VPC's default subnets (one /20 per Availability Zone) matching the filters."""
    vpc, subnets = _default_subnets(args, ctx, "aws:ec2/getSubnets:getSubnets")
    return {
        "id": vpc.region,
        "ids": [s.id for s in subnets],
        "filters": args.get("filters"),
        "region": vpc.region,
        "tags": None,
    }


@_register("aws:ec2/getSubnet:getSubnet")
def _aws_subnet(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """One default subnet of the default VPC (by id, or by its Availability Zone and default-for-az)."""
    vpc, subnets = _default_subnets(args, ctx, "aws:ec2/getSubnet:getSubnet")
    if len(subnets) != 1:
        raise InvokeFailure(
            "no matching EC2 Subnet found"
            if not subnets
            else "multiple EC2 Subnets matched; use additional constraints to reduce matches to a single EC2 Subnet"
        )
    sub = subnets[0]
    return {
        "id": sub.id,
        "arn": f"arn:aws:ec2:{vpc.region}:{vpc.account}:subnet/{sub.id}",
        "assignIpv6AddressOnCreation": False,
        "availabilityZone": sub.zone,
        "availabilityZoneId": sub.zone_id,
        "availableIpAddressCount": 4091,
        "cidrBlock": sub.cidr,
        "customerOwnedIpv4Pool": "",
        "defaultForAz": True,
        "enableDns64": False,
        "enableLniAtDeviceIndex": 0,
        "enableResourceNameDnsARecordOnLaunch": False,
        "enableResourceNameDnsAaaaRecordOnLaunch": False,
        "filters": args.get("filters"),
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociationId": "",
        "ipv6Native": False,
        "mapCustomerOwnedIpOnLaunch": False,
        "mapPublicIpOnLaunch": True,
        "outpostArn": "",
        "ownerId": vpc.account,
        "privateDnsHostnameTypeOnLaunch": "ip-name",
        "region": vpc.region,
        "state": "available",
        "tags": {},
        "vpcId": vpc.id,
    }


@_register("aws:ec2/getSecurityGroup:getSecurityGroup")
def _aws_security_group(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The default VPC's security group named "default"."""
    token = "aws:ec2/getSecurityGroup:getSecurityGroup"
    vpc = default_vpc(ctx)
    _no_tags(args, token)
    filters = _filters(args)
    for key, name in (("id", "group-id"), ("name", "group-name"), ("vpcId", "vpc-id")):
        if args.get(key) is not None:
            filters.append((name, [str(args[key])]))
    facts = {
        "group-id": vpc.security_group,
        "group-name": "default",
        "vpc-id": vpc.id,
        "owner-id": vpc.account,
    }
    if ("group-id", [vpc.security_group]) not in filters and not (
        ("group-name", ["default"]) in filters and ("vpc-id", [vpc.id]) in filters
    ):
        raise NotAnswered("only the default VPC's default security group is known offline")
    if not _match(facts, filters, token):
        raise InvokeFailure("no matching SecurityGroup found")
    return {
        "id": vpc.security_group,
        "arn": f"arn:aws:ec2:{vpc.region}:{vpc.account}:security-group/{vpc.security_group}",
        "description": "default VPC security group",
        "filters": args.get("filters"),
        "name": "default",
        "region": vpc.region,
        "tags": {},
        "vpcId": vpc.id,
    }


@_register("aws:ec2/getRouteTable:getRouteTable")
def _aws_route_table(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The default VPC's main route table (local route and 0.0.0.0/0 to its internet gateway), which its
    default subnets use."""
    token = "aws:ec2/getRouteTable:getRouteTable"
    vpc = default_vpc(ctx)
    _no_tags(args, token)
    filters = _filters(args)
    subnet_ids = {s.id for s in vpc.subnets}
    known = (
        args.get("routeTableId") == vpc.main_route_table
        or args.get("subnetId") in subnet_ids
        or (args.get("vpcId") == vpc.id and ("association.main", ["true"]) in filters)
        or (("vpc-id", [vpc.id]) in filters and ("association.main", ["true"]) in filters)
    )
    if not known:
        raise NotAnswered("only the default VPC's main route table is known offline")
    facts = {"vpc-id": vpc.id, "association.main": "true", "route-table-id": vpc.main_route_table}
    if not _match(facts, filters, token):
        raise InvokeFailure("no matching Route Table found")
    return {
        "id": vpc.main_route_table,
        "arn": f"arn:aws:ec2:{vpc.region}:{vpc.account}:route-table/{vpc.main_route_table}",
        "associations": [
            {
                "gatewayId": "",
                "main": True,
                "routeTableAssociationId": _hex_id("rtbassoc", vpc.main_route_table),
                "routeTableId": vpc.main_route_table,
                "subnetId": "",
            }
        ],
        "filters": args.get("filters"),
        "gatewayId": args.get("gatewayId") or "",
        "ownerId": vpc.account,
        "region": vpc.region,
        "routeTableId": vpc.main_route_table,
        "routes": [
            {
                "carrierGatewayId": "",
                "cidrBlock": "0.0.0.0/0",
                "coreNetworkArn": "",
                "destinationPrefixListId": "",
                "egressOnlyGatewayId": "",
                "gatewayId": vpc.igw,
                "instanceId": "",
                "ipv6CidrBlock": "",
                "localGatewayId": "",
                "natGatewayId": "",
                "networkInterfaceId": "",
                "transitGatewayId": "",
                "vpcEndpointId": "",
                "vpcPeeringConnectionId": "",
            }
        ],
        "subnetId": args.get("subnetId") or "",
        "tags": {},
        "vpcId": vpc.id,
    }


@_register("aws:ec2/getInternetGateway:getInternetGateway")
def _aws_internet_gateway(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The default VPC's internet gateway."""
    token = "aws:ec2/getInternetGateway:getInternetGateway"
    vpc = default_vpc(ctx)
    _no_tags(args, token)
    filters = _filters(args)
    if args.get("internetGatewayId") is not None:
        filters.append(("internet-gateway-id", [str(args["internetGatewayId"])]))
    facts = {"internet-gateway-id": vpc.igw, "attachment.vpc-id": vpc.id, "attachment.state": "available"}
    if ("internet-gateway-id", [vpc.igw]) not in filters and ("attachment.vpc-id", [vpc.id]) not in filters:
        raise NotAnswered("only the default VPC's internet gateway is known offline")
    if not _match(facts, filters, token):
        raise InvokeFailure("no matching Internet Gateway found")
    return {
        "id": vpc.igw,
        "arn": f"arn:aws:ec2:{vpc.region}:{vpc.account}:internet-gateway/{vpc.igw}",
        "attachments": [{"state": "available", "vpcId": vpc.id}],
        "filters": args.get("filters"),
        "internetGatewayId": vpc.igw,
        "ownerId": vpc.account,
        "region": vpc.region,
        "tags": {},
    }


# --------------------------------------------------------------------------------------------------
# Route 53


def hosted_zone_id(name: str, private: bool) -> str:
    """A stable hosted zone id for a zone name (Route 53 ids are ``Z`` and upper-case letters and digits)."""
    digest = hashlib.sha256(
        f"{name.rstrip('.').lower()}/{'private' if private else 'public'}".encode()
    ).hexdigest()
    return "Z" + digest[:20].upper()


@_register("aws:route53/getZone:getZone")
def _aws_zone(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The hosted zone the program names (assumed to exist, as the preview of a deployed stack would find it);
    its id derived from the name, the account's four name servers."""
    region(ctx)
    private = bool(args.get("privateZone"))
    name = str(args.get("name") or "").rstrip(".").lower()
    zone_id = str(args.get("zoneId") or "")
    if not name and not zone_id:
        raise InvokeFailure("either name or zone_id must be set")
    if not name:
        raise NotAnswered("a hosted zone looked up by zone_id alone: its name is not known offline")
    if zone_id and zone_id != hosted_zone_id(name, private):
        raise NotAnswered("a hosted zone looked up by both name and another zone_id")
    zone_id = hosted_zone_id(name, private)
    servers = (
        []
        if private
        else [
            f"ns-{n}.awsdns-{n % 64:02d}.{tld}"
            for n, tld in ((101, "com"), (702, "net"), (1303, "org"), (1904, "co.uk"))
        ]
    )
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "name": name,
        "callerReference": _hex_id("ref", name),
        "comment": "",
        "enableAcceleratedRecovery": False,
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "nameServers": servers,
        "primaryNameServer": servers[0] if servers else "",
        "privateZone": private,
        "resourceRecordSetCount": 2,
        "tags": args.get("tags") or {},
        "vpcId": args.get("vpcId") or "",
    }


CLOUD = Cloud(
    name="aws",
    packages=tuple(p for p, c in facts.PROVIDER_PACKAGES.items() if c == facts.Cloud.AWS),
    title="AWS",
    account_word="account",
    invokes=INVOKES,
    emulate_check=emulate_check,
    emulate_outputs=emulate_outputs,
    check_config=check_config,
    account_of=account_of,
    env_vars=REGION_ENV_VARS,
)
