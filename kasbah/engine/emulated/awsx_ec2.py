"""awsx's ``ec2.Vpc`` and ``ec2.DefaultVpc``: the children their provider's Construct creates, emulated offline.

Followed from pulumi-awsx's own implementation (github.com/pulumi/pulumi-awsx, ``awsx/ec2/vpc.ts``,
``defaultVpc.ts``, ``getDefaultVpc.ts``; schema ``provider/cmd/pulumi-resource-awsx/schema.json``;
Apache-2.0, read at commit e60adf3c, v3.x, not copied). ``awsx:ec2:Vpc`` creates, with the VPC as
their parent (URNs ``awsx:ec2:Vpc$aws:ec2/vpc:Vpc$...``):

- the ``aws:ec2/vpc:Vpc`` (the VPC arguments it shares with ``aws.ec2.Vpc``, ``cidrBlock`` default
  10.0.0.0/16, tags ``{Name: <name>, ...tags}``) and an internet gateway, always;
- per zone (the first ``numberOfAvailabilityZones``, default 3, of ``getAvailabilityZones``, or
  ``availabilityZoneNames``), public subnets first, then private, then isolated: the subnet, its route
  table and association; a NAT gateway and its Elastic IP in the public subnet (``natGateways.strategy``
  ``OnePerAz`` by default, ``Single``, ``None``); a ``0.0.0.0/0`` route to the internet gateway from
  public subnets, to the NAT gateway from private ones; none from isolated ones;
- a VPC endpoint per ``vpcEndpointSpecs`` entry (``vpcEndpointStrategy: Auto`` also picks subnets, route
  tables and a security group allowing 443 from the VPC);

and returns the resources and their ids as outputs (ids unknown while previewing a create).
``awsx:ec2:DefaultVpc`` creates nothing: it looks up the default VPC and its subnets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kasbah.engine.emulated import awsx_vpc_layout as layout
from kasbah.engine.model import UNKNOWN_SENTINEL


class ConstructError(Exception):
    """The component's provider refuses its arguments (its own words)."""


@dataclass(frozen=True)
class Ref:
    """An output of another child (``vpc.id``), resolved by the monitor once that child is registered."""

    key: str
    prop: str = "id"


@dataclass(frozen=True)
class ResourceRef:
    """A resource reference to a child, as a component output (``vpc.subnets``)."""

    key: str


@dataclass
class Child:
    key: str
    type: str
    name: str
    parent: str | None
    """Key of the parent child; None: the component itself."""
    inputs: dict[str, Any]
    depends_on: tuple[str, ...] = ()


@dataclass
class Construction:
    children: list[Child] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def add(self, child: Child) -> Child:
        self.children.append(child)
        return child


Lookup = Callable[[str, Mapping[str, Any]], dict[str, Any]]
"""Answers an invoke (token, arguments) as the engine would for the component's provider."""

VPC_INPUTS = (
    "assignGeneratedIpv6CidrBlock",
    "cidrBlock",
    "enableDnsHostnames",
    "enableDnsSupport",
    "enableNetworkAddressUsageMetrics",
    "instanceTenancy",
    "ipv4IpamPoolId",
    "ipv4NetmaskLength",
    "ipv6CidrBlock",
    "ipv6CidrBlockNetworkBorderGroup",
    "ipv6IpamPoolId",
    "ipv6NetmaskLength",
    "region",
    "tags",
)
"""``awsx:ec2:Vpc`` arguments that ``aws.ec2.Vpc`` also takes (the Node SDK sends only its own inputs)."""


def _known(value: Any, what: str, name: str) -> Any:
    if value == UNKNOWN_SENTINEL:
        raise ConstructError(
            f"{what} is unknown during the preview; awsx:ec2:Vpc '{name}' needs it to lay out its subnets "
            "(give a plain value)"
        )
    return value


def _with_region(inputs: dict[str, Any], region: Any) -> dict[str, Any]:
    return {**inputs, "region": region} if region is not None else inputs


def vpc(name: str, args: Mapping[str, Any], lookup: Lookup) -> Construction:
    """The children of ``awsx:ec2:Vpc`` and its outputs."""
    try:
        return _vpc(name, args, lookup)
    except layout.LayoutError as exc:
        raise ConstructError(str(exc)) from None


def _vpc(name: str, args: Mapping[str, Any], lookup: Lookup) -> Construction:
    if args.get("ipv4IpamPoolId") is not None:
        if args.get("cidrBlock") is not None and args.get("ipv4NetmaskLength") is not None:
            raise ConstructError("Only one of 'cidrBlock', 'ipv4NetmaskLength' is allowed.")
        if args.get("cidrBlock") is None and args.get("ipv4NetmaskLength") is None:
            raise ConstructError(
                "If 'ipv4IpamPoolId' is specified, 'ipv4NetmaskLength' or 'cidrBlock' must also be specified."
            )
    if args.get("availabilityZoneNames") and args.get("numberOfAvailabilityZones"):
        raise ConstructError(
            "Only one of [availabilityZoneNames] and [numberOfAvailabilityZones] can be specified"
        )
    region = args.get("region")
    endpoint_strategy = str(args.get("vpcEndpointStrategy") or "Legacy")
    endpoint_specs = [dict(s) for s in args.get("vpcEndpointSpecs") or []]
    azs = [str(_known(z, "availabilityZoneNames", name)) for z in args.get("availabilityZoneNames") or []]
    if not azs:
        count = int(_known(args.get("numberOfAvailabilityZones") or 3, "numberOfAvailabilityZones", name))
        found = lookup(
            "aws:index/getAvailabilityZones:getAvailabilityZones",
            {"region": _known(region, "region", name)} if region is not None else {},
        ).get("names")
        if not found:
            raise ConstructError(
                "Could not fetch default Availability Zones. If this is an opt-in region, please enable the region "
                "first. Alternatively, you may specify an explicit list of zones in `availabilityZoneNames`."
            )
        if len(found) < count:
            raise ConstructError(
                f"The configured region for this provider does not have at least {count} Availability Zones. Either "
                f"specify an explicit list of zones in availabilityZoneNames or choose a region with at least {count} AZs."
            )
        azs = [str(z) for z in found[:count]]
    nat_args = args.get("natGateways") or {}
    nat_strategy = str(nat_args.get("strategy") or "OnePerAz")
    allocation_ids = list(nat_args.get("elasticIpAllocationIds") or [])
    layout.validate_eips(nat_strategy, allocation_ids, len(azs))
    strategy = str(args.get("subnetStrategy") or "Legacy")
    tag_strategy = str(args.get("subnetNameTagStrategy") or "Legacy")
    assign_generated = bool(args.get("assignGeneratedIpv6CidrBlock") or False)
    user_tags = dict(args.get("tags") or {})
    shared_tags = {"Name": name, **user_tags}
    cidr = args.get("cidrBlock")
    if cidr is None and args.get("ipv4IpamPoolId") is None:
        cidr = "10.0.0.0/16"
    cidr = _known(cidr, "cidrBlock", name) if cidr is not None else None
    if cidr is None:
        raise ConstructError(
            f"awsx:ec2:Vpc '{name}': a cidrBlock allocated by IPAM is only known after the VPC exists; the offline "
            "preview cannot lay out its subnets (give cidrBlock)"
        )
    specs = [layout.parse_spec(dict(s), i) for i, s in enumerate(args.get("subnetSpecs") or [])] or None
    subnets = layout.plan_subnets(
        name,
        str(cidr),
        azs,
        specs,
        strategy,
        nat_strategy,
        args.get("availabilityZoneCidrMask"),
        tag_strategy,
    )
    dns = _endpoint_dns_defaults(args, endpoint_strategy, endpoint_specs)
    out = Construction()
    vpc_inputs = {k: args[k] for k in VPC_INPUTS if args.get(k) is not None}
    vpc_inputs.update({k: v for k, v in dns.items() if v is not None})
    vpc_inputs.update({"cidrBlock": cidr, "tags": shared_tags})
    out.add(Child("vpc", "aws:ec2/vpc:Vpc", name, None, vpc_inputs))
    out.add(
        Child(
            "igw",
            "aws:ec2/internetGateway:InternetGateway",
            name,
            "vpc",
            _with_region({"vpcId": Ref("vpc"), "tags": shared_tags}, region),
            ("vpc",),
        )
    )
    kinds: dict[str, list[str]] = {"public": [], "private": [], "isolated": []}
    route_tables: list[str] = []
    associations: list[str] = []
    routes: list[str] = []
    nats: list[str] = []
    eips: list[str] = []
    generated: list[tuple[str, str, str]] = []
    for i, az in enumerate(azs):
        index = i
        for spec in layout.creation_order(subnets, [az]):
            kind = spec.type.lower()
            assign = spec.assign_ipv6 if spec.assign_ipv6 is not None else assign_generated
            key = f"subnet:{spec.resource_name}"
            subnet_inputs: dict[str, Any] = {
                "vpcId": Ref("vpc"),
                "availabilityZone": az,
                "mapPublicIpOnLaunch": kind == "public",
                "cidrBlock": spec.cidr_block,
                "assignIpv6AddressOnCreation": bool(assign),
                # An apply over the new VPC's ipv6CidrBlock: unknown while previewing its creation.
                "ipv6CidrBlock": Ref("vpc", "ipv6CidrBlock"),
                "tags": {**shared_tags, **spec.tags, "Name": spec.name_tag, "SubnetType": spec.type},
            }
            out.add(
                Child(
                    key,
                    "aws:ec2/subnet:Subnet",
                    spec.resource_name,
                    "vpc",
                    _with_region(subnet_inputs, region),
                    ("vpc",),
                )
            )
            index += len(azs)
            kinds.setdefault(kind, []).append(key)
            generated.append((key, kind, az))
            rt = f"rt:{spec.resource_name}"
            out.add(
                Child(
                    rt,
                    "aws:ec2/routeTable:RouteTable",
                    spec.resource_name,
                    key,
                    _with_region(
                        {
                            "vpcId": Ref("vpc"),
                            "tags": {**shared_tags, "Name": spec.name_tag, "SubnetType": spec.type},
                        },
                        region,
                    ),
                    (key,),
                )
            )
            route_tables.append(rt)
            assoc = f"rta:{spec.resource_name}"
            out.add(
                Child(
                    assoc,
                    "aws:ec2/routeTableAssociation:RouteTableAssociation",
                    spec.resource_name,
                    rt,
                    _with_region({"routeTableId": Ref(rt), "subnetId": Ref(key)}, region),
                    (rt,),
                )
            )
            associations.append(assoc)
            if kind == "public" and layout.should_create_nat(nat_strategy, len(nats), i):
                nat_name = f"{name}-{i + 1}"
                allocation: Any
                if not allocation_ids:
                    eip = f"eip:{nat_name}"
                    out.add(
                        Child(
                            eip,
                            "aws:ec2/eip:Eip",
                            nat_name,
                            key,
                            _with_region({"tags": {**user_tags, "Name": nat_name}}, region),
                            (key,),
                        )
                    )
                    eips.append(eip)
                    allocation = Ref(eip, "allocationId")
                else:
                    allocation = allocation_ids[i]
                nat = f"nat:{nat_name}"
                out.add(
                    Child(
                        nat,
                        "aws:ec2/natGateway:NatGateway",
                        nat_name,
                        key,
                        _with_region(
                            {
                                "subnetId": Ref(key),
                                "allocationId": allocation,
                                "tags": {**user_tags, "Name": nat_name},
                            },
                            region,
                        ),
                        (key,),
                    )
                )
                nats.append(nat)
            route: dict[str, Any] | None = None
            if kind == "public":
                route = {
                    "routeTableId": Ref(rt),
                    "gatewayId": Ref("igw"),
                    "destinationCidrBlock": "0.0.0.0/0",
                }
            elif kind == "private" and nat_strategy.lower() != "none":
                target = nats[0] if nat_strategy.lower() == "single" else nats[i]
                route = {
                    "routeTableId": Ref(rt),
                    "natGatewayId": Ref(target),
                    "destinationCidrBlock": "0.0.0.0/0",
                }
            if route is not None:
                key_route = f"route:{spec.resource_name}"
                out.add(
                    Child(
                        key_route,
                        "aws:ec2/route:Route",
                        spec.resource_name,
                        rt,
                        _with_region(route, region),
                        (rt,),
                    )
                )
                routes.append(key_route)
    endpoints = _endpoints(
        out, endpoint_specs, endpoint_strategy, region, shared_tags, generated, azs, route_tables
    )
    all_subnets = [k for k, _, _ in generated]
    out.outputs = {
        "vpc": ResourceRef("vpc"),
        "vpcId": Ref("vpc"),
        "subnets": _refs(all_subnets),
        "publicSubnets": _refs(kinds["public"]),
        "privateSubnets": _refs(kinds["private"]),
        "isolatedSubnets": _refs(kinds["isolated"]),
        "publicSubnetIds": [Ref(k) for k in kinds["public"]],
        "privateSubnetIds": [Ref(k) for k in kinds["private"]],
        "isolatedSubnetIds": [Ref(k) for k in kinds["isolated"]],
        "routeTables": _refs(route_tables),
        "routeTableAssociations": _refs(associations),
        "routes": _refs(routes),
        "internetGateway": ResourceRef("igw"),
        "natGateways": _refs(nats),
        "eips": _refs(eips),
        "vpcEndpoints": _refs(endpoints),
        "subnetLayout": _resolved_layout(name, subnets, azs),
    }
    return out


def _refs(keys: list[str]) -> list[ResourceRef]:
    return [ResourceRef(k) for k in keys]


def _resolved_layout(name: str, subnets: list[layout.Subnet], azs: list[str]) -> list[dict[str, Any]]:
    """``subnetLayout``: the first zone's subnets as specs (type, name when it is not the type, mask)."""
    first = [s for s in subnets if s.az_name == azs[0]] if azs else []
    out = []
    for s in first:
        mask = int(s.cidr_block.split("/")[1])
        entry: dict[str, Any] = {"type": s.type, "cidrMask": mask, "size": 2 ** (32 - mask)}
        spec_name = s.resource_name[len(name) + 1 :].rsplit("-", 1)[0]
        if spec_name != s.type.lower():
            entry["name"] = spec_name
        out.append(entry)
    return out


def _endpoint_dns_defaults(
    args: Mapping[str, Any], strategy: str, specs: list[dict[str, Any]]
) -> dict[str, Any]:
    """``getVpcEndpointDnsDefaults``: Auto interface endpoints with private DNS turn the VPC's DNS on."""
    hostnames, support = args.get("enableDnsHostnames"), args.get("enableDnsSupport")
    if strategy != "Auto":
        return {"enableDnsHostnames": hostnames, "enableDnsSupport": support}
    wants = any(
        _endpoint_type(s) == "interface" and s.get("privateDnsEnabled") in (None, True) for s in specs
    )
    if not wants:
        return {"enableDnsHostnames": hostnames, "enableDnsSupport": support}
    for key, value in (("enableDnsHostnames", hostnames), ("enableDnsSupport", support)):
        if value is False:
            raise ConstructError(
                f'vpcEndpointStrategy "Auto" requires {key} to be true when Interface endpoint private DNS is enabled.'
            )
    return {
        "enableDnsHostnames": True if hostnames is None else hostnames,
        "enableDnsSupport": True if support is None else support,
    }


def _endpoint_type(spec: Mapping[str, Any]) -> str | None:
    kind = spec.get("vpcEndpointType")
    if kind is None:
        return "gateway"
    return str(kind).lower() if isinstance(kind, str) and kind != UNKNOWN_SENTINEL else None


def _endpoints(
    out: Construction,
    specs: list[dict[str, Any]],
    strategy: str,
    region: Any,
    shared_tags: dict[str, Any],
    generated: list[tuple[str, str, str]],
    azs: list[str],
    route_tables: list[str],
) -> list[str]:
    keys: list[str] = []
    for spec in specs:
        service = str(spec.get("serviceName"))
        kind = _endpoint_type(spec)
        if strategy == "Auto" and kind is None:
            raise ConstructError(
                f'vpcEndpointStrategy "Auto" requires vpcEndpointType for endpoint "{service}" to be omitted or a '
                'plain string. Use vpcEndpointStrategy "Legacy" for dynamic endpoint types.'
            )
        ep_region = spec.get("region") if spec.get("region") is not None else region
        auto_interface = strategy == "Auto" and kind == "interface"
        auto_gateway = strategy == "Auto" and kind == "gateway"
        inputs: dict[str, Any] = {
            k: spec[k]
            for k in (
                "autoAccept",
                "dnsOptions",
                "ipAddressType",
                "policy",
                "privateDnsEnabled",
                "resourceConfigurationArn",
                "routeTableIds",
                "securityGroupIds",
                "serviceNetworkArn",
                "serviceRegion",
                "subnetConfigurations",
                "subnetIds",
                "vpcEndpointType",
            )
            if spec.get(k) is not None
        }
        if auto_interface and spec.get("subnetIds") is None and spec.get("subnetConfigurations") is None:
            chosen = []
            for az in azs:
                for preferred in ("private", "isolated", "public"):
                    match = next((k for k, t, z in generated if z == az and t == preferred), None)
                    if match is not None:
                        chosen.append(Ref(match))
                        break
            inputs["subnetIds"] = chosen
        if auto_interface and spec.get("privateDnsEnabled") is None:
            inputs["privateDnsEnabled"] = True
        if auto_interface and spec.get("securityGroupIds") is None:
            sg = f"sg:{service}"
            tags = {**shared_tags, **(spec.get("tags") or {})}
            out.add(
                Child(
                    sg,
                    "aws:ec2/securityGroup:SecurityGroup",
                    f"{service}-sg",
                    "vpc",
                    _with_region({"vpcId": Ref("vpc"), "tags": tags}, ep_region),
                    ("vpc",),
                )
            )
            rule: dict[str, Any] = {
                "type": "ingress",
                "securityGroupId": Ref(sg),
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrBlocks": [Ref("vpc", "cidrBlock")],
            }
            if str(spec.get("ipAddressType") or "").lower() in ("ipv6", "dualstack"):
                rule["ipv6CidrBlocks"] = [Ref("vpc", "ipv6CidrBlock")]
            out.add(
                Child(
                    f"sgr:{service}",
                    "aws:ec2/securityGroupRule:SecurityGroupRule",
                    f"{service}-ingress",
                    "vpc",
                    _with_region(rule, ep_region),
                    (sg,),
                )
            )
            inputs["securityGroupIds"] = [Ref(sg)]
        if auto_gateway and spec.get("routeTableIds") is None:
            inputs["routeTableIds"] = [Ref(rt) for rt in route_tables]
        inputs.update(
            {"serviceName": service, "tags": {**shared_tags, **(spec.get("tags") or {})}, "vpcId": Ref("vpc")}
        )
        key = f"endpoint:{service}"
        out.add(
            Child(
                key,
                "aws:ec2/vpcEndpoint:VpcEndpoint",
                service,
                "vpc",
                _with_region(inputs, ep_region),
                ("vpc",),
            )
        )
        keys.append(key)
    return keys


def default_vpc(name: str, args: Mapping[str, Any], lookup: Lookup) -> Construction:
    """``awsx:ec2:DefaultVpc``: no resource; the default VPC's id and its subnets, split by
    ``mapPublicIpOnLaunch`` (``getDefaultVpc.ts``)."""
    found = lookup("aws:ec2/getVpc:getVpc", {"default": True})
    vpc_id = str(found.get("id"))
    ids = (
        lookup("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": [vpc_id]}]}).get(
            "ids"
        )
        or []
    )
    public: list[str] = []
    private: list[str] = []
    for sid in ids:
        subnet = lookup("aws:ec2/getSubnet:getSubnet", {"id": sid})
        (public if subnet.get("mapPublicIpOnLaunch") else private).append(str(sid))
    return Construction([], {"vpcId": vpc_id, "publicSubnetIds": public, "privateSubnetIds": private})


EMULATED: dict[str, Callable[[str, Mapping[str, Any], Lookup], Construction]] = {
    "awsx:ec2:Vpc": vpc,
    "awsx:ec2:DefaultVpc": default_vpc,
}
"""The awsx components whose Construct Kasbah emulates, by type token."""
