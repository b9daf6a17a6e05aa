"""The registry of canned answers to data-source invokes, for offline previews.

Every answer agrees with the stack's configuration: the AWS region comes from
the invoke's provider (explicit provider inputs, else ``aws:region``), the
account from ``kasbah:accountId``, the Azure subscription from
``azure-native:subscriptionId``. An invoke with no entry here is an error that
names its token: never a silent empty answer. ``kasbah invokes`` lists them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kasbah import facts

DEFAULT_ACCOUNT_ID = "111111111111"
DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT_ID = "11111111-1111-1111-1111-111111111111"
DEFAULT_AWS_REGION = "eu-west-3"


class InvokeFailure(Exception):
    """The emulated cloud refuses the invoke (as the real data source would)."""


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


@dataclass(frozen=True)
class InvokeContext:
    """What an answer may depend on: the stack config and the invoke's provider inputs."""

    config: Mapping[str, Any]
    provider_inputs: Mapping[str, Any]

    @property
    def aws_region(self) -> str:
        region = self.provider_inputs.get("region") or self.config.get("aws:region") or DEFAULT_AWS_REGION
        return str(region)

    @property
    def account_id(self) -> str:
        return str(self.config.get("kasbah:accountId") or DEFAULT_ACCOUNT_ID)

    @property
    def subscription_id(self) -> str:
        return str(
            self.provider_inputs.get("subscriptionId")
            or self.config.get("azure-native:subscriptionId")
            or DEFAULT_SUBSCRIPTION_ID
        )


Answer = Callable[[Mapping[str, Any], InvokeContext], dict[str, Any]]
REGISTRY: dict[str, Answer] = {}


def register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        REGISTRY[token] = fn
        return fn

    return deco


def answer(token: str, args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    fn = REGISTRY.get(token)
    if fn is None:
        raise KeyError(token)
    return fn(args, ctx)


def _zones(region: str) -> list[str]:
    return [f"{region}{s}" for s in "abc"]


def _zone_id(region: str, name: str) -> str:
    short = "".join(p[0] for p in region.split("-")[:-1]) + region.split("-")[-1]
    return f"{short}-az{ord(name[-1]) - ord('a') + 1}"


@register("aws:index/getAvailabilityZones:getAvailabilityZones")
def _aws_azs(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The three AZs of the provider's region (a, b, c); Wavelength zones when ``allAvailabilityZones``."""
    region = ctx.aws_region
    names = _zones(region)
    if args.get("allAvailabilityZones"):
        names += [z.name for z in WAVELENGTH_ZONES.values() if z.region == region]
    return {
        "id": region,
        "names": names,
        "zoneIds": [
            WAVELENGTH_ZONES[n].zone_id if n in WAVELENGTH_ZONES else _zone_id(region, n) for n in names
        ],
        "groupNames": [WAVELENGTH_ZONES[n].group_name if n in WAVELENGTH_ZONES else region for n in names],
        "state": args.get("state") or "available",
    }


@register("aws:index/getAvailabilityZone:getAvailabilityZone")
def _aws_az(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """One zone's facts: a regional AZ of the provider's region, or a Wavelength zone from the table."""
    region = ctx.aws_region
    name = args.get("name")
    zone_id = args.get("zoneId")
    wlz = WAVELENGTH_ZONES.get(str(name)) or next(
        (z for z in WAVELENGTH_ZONES.values() if z.zone_id == zone_id), None
    )
    if wlz is not None:
        if wlz.region != region:
            raise InvokeFailure(f"no matching Availability Zone found ({wlz.name} is not in {region})")
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
            "parentZoneId": _zone_id(region, wlz.parent_zone_name),
            "parentZoneName": wlz.parent_zone_name,
            "region": region,
            "state": "available",
            "zoneType": "wavelength-zone",
            "nameSuffix": wlz.name.removeprefix(region + "-"),
        }
    zones = _zones(region)
    if name is None and zone_id is not None:
        name = next((z for z in zones if _zone_id(region, z) == zone_id), None)
    if name not in zones:
        raise InvokeFailure(
            f"no matching Availability Zone found (name={name!r}, zone_id={zone_id!r}, region {region})"
        )
    return {
        "id": name,
        "name": name,
        "zoneId": _zone_id(region, str(name)),
        "groupName": region,
        "groupLongName": region,
        "networkBorderGroup": region,
        "optInStatus": "opt-in-not-required",
        "parentZoneId": "",
        "parentZoneName": "",
        "region": region,
        "state": "available",
        "zoneType": "availability-zone",
        "nameSuffix": str(name)[-1],
    }


@register("aws:index/getCallerIdentity:getCallerIdentity")
def _aws_caller(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The account from ``kasbah:accountId`` (default 111111111111), as the deployment role."""
    acct = ctx.account_id
    return {
        "id": acct,
        "accountId": acct,
        "arn": f"arn:aws:sts::{acct}:assumed-role/kasbah-deployer/offline",
        "userId": "AROAOFFLINE:offline",
    }


@register("aws:index/getRegion:getRegion")
def _aws_region(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The provider's region."""
    region = str(args.get("region") or args.get("name") or ctx.aws_region)
    return {
        "id": region,
        "name": region,
        "region": region,
        "description": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


@register("aws:index/getPartition:getPartition")
def _aws_partition(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The commercial partition."""
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


@register("aws:organizations/getOrganization:getOrganization")
def _aws_org(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing organization: id from ``kasbah:organizationId`` (default o-0ffline000), root id from
    ``kasbah:organizationRootId`` (default r-0ffl); its accounts are the management account and the
    member accounts the stack adopts (``kasbah:accounts.<role>.id``), all ACTIVE."""
    org = str(ctx.config.get("kasbah:organizationId") or "o-0ffline000")
    root = str(ctx.config.get("kasbah:organizationRootId") or "r-0ffl")
    acct = ctx.account_id
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


@register("aws:guardduty/getDetector:getDetector")
def _aws_guardduty_detector(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The detector of the account and region (GuardDuty enabled, e.g. by the delegated-admin designation)."""
    region = str(args.get("region") or ctx.aws_region)
    allowed = ctx.provider_inputs.get("allowedAccountIds") or []
    acct = str(allowed[0]) if len(allowed) == 1 and str(allowed[0]).isdigit() else ctx.account_id
    detector_id = str(args.get("id") or hashlib.sha256(f"{acct}/{region}".encode()).hexdigest()[:32])
    return {
        "id": detector_id,
        "findingPublishingFrequency": "SIX_HOURS",
        "serviceRoleArn": f"arn:aws:iam::{acct}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
        "status": "ENABLED",
        "features": [],
        "region": region,
        "tags": {},
    }


@register("aws:ssm/getParameter:getParameter")
def _aws_ssm_param(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Public SSM parameters (e.g. the latest Amazon Linux AMI id): a stable placeholder AMI id."""
    name = str(args.get("name"))
    value = "ami-0offline0000000001" if "/ami/" in name or "ami" in name.lower() else f"offline:{name}"
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{ctx.aws_region}::parameter{name}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": False,
    }


@register("aws:ec2/getAmi:getAmi")
def _aws_ami(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The most recent AMI matching the filters: a stable placeholder, x86_64, EBS-backed."""
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


@register("aws:iam/getPolicyDocument:getPolicyDocument")
def _aws_policy_doc(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Renders the statements to IAM JSON, as the provider does."""
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


@register("azure-native:authorization:getClientConfig")
def _az_client(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The deployment identity in the subscription from ``azure-native:subscriptionId``."""
    return {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": ctx.subscription_id,
        "tenantId": str(ctx.config.get("kasbah:tenantId") or DEFAULT_TENANT_ID),
    }


@register("azure-native:resources:getResourceGroup")
def _az_rg(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing resource group in the default location."""
    name = str(args.get("resourceGroupName"))
    loc = str(
        ctx.provider_inputs.get("location") or ctx.config.get("azure-native:location") or "francecentral"
    )
    return {
        "id": f"/subscriptions/{ctx.subscription_id}/resourceGroups/{name}",
        "name": name,
        "location": loc,
        "type": "Microsoft.Resources/resourceGroups",
        "tags": {},
        "properties": {"provisioningState": "Succeeded"},
    }


def describe() -> list[tuple[str, str]]:
    """(token, first docstring line) of every registered answer."""
    return sorted((tok, (fn.__doc__ or "").strip().splitlines()[0]) for tok, fn in REGISTRY.items())
