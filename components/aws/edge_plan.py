"""Pure inputs, validation and address planning of the Wavelength edge pattern (no Pulumi here).

:class:`EdgeArgs` describes the pattern; :func:`plan_edge` validates it against the provider's
region and returns an :class:`EdgePlan` (one VPC per Wavelength zone, its regional and zone
subnets). Every problem is a :class:`~components.errors.ConfigError` naming the key at fault,
raised before any resource is registered. Key paths are the camelCase field paths under a
prefix: ``EdgeArgs.zones[0].instanceType`` for the component, ``kasbah:zones[0].instanceType``
when a blueprint validates its settings (the blueprint's settings are :class:`EdgeSpec`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from components.aws.network_plan import NatStrategy as NatStrategy  # one enum for every AWS NAT choice
from components.aws.wavelength_data import (
    is_region_name,
    is_wavelength_zone_name,
    offered_types,
    parent_region_of,
)
from components.cidr import IPv4Network, assert_disjoint, parse_cidr, plan_subnets
from components.common import CommonArgs, DataClassification
from components.errors import ConfigError
from components.settings import camel
from kasbah.facts import CASABLANCA_WLZ, MANAGEMENT_PORTS, WAVELENGTH_ZONES

DEFAULT_ENDPOINTS: tuple[str, ...] = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "logs",
    "sts",
    "kms",
)
"""Interface endpoints in the regional private subnets: SSM, ECR, logs, STS and KMS off the carrier path."""

DEFAULT_IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
"""Amazon Linux 2023, resolved by EC2 from the public SSM parameter when the instance launches."""

LOG_RETENTION_DAYS: frozenset[int] = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
"""Retention periods CloudWatch Logs accepts."""

REGIONAL_TIERS = ("public", "private")
ZONE_TIER = "wavelength"

_TGW_RE = re.compile(r"^tgw-[0-9a-f]{8,17}$")
_ACM_RE = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+$")
_K8S_VERSION_RE = re.compile(r"^1\.\d{2}$")


@dataclass(frozen=True)
class EdgeZoneArgs:
    """One Wavelength zone of the pattern: it gets its own VPC (two zones in one VPC cannot talk)."""

    name: str = CASABLANCA_WLZ.name
    """Wavelength zone name, resolved at deploy time (a default, not an assumption).
    Default: ``eu-west-3-cmn-wlz-1a``."""

    cidr: str = "10.60.0.0/16"
    """IPv4 block of this zone's VPC (regional public/private subnets and zone subnets).
    Default: ``10.60.0.0/16``."""

    zone_subnet_count: int = 1
    """Number of subnets in the Wavelength zone. Default: ``1``."""

    ipv6: bool = False
    """IPv6 in the zone subnets. Wavelength zones are IPv4 only: ``true`` is an error. Default: ``false``."""

    instance_type: str = "t3.medium"
    """Instance type of the edge Auto Scaling group; must be offered in the zone. Default: ``t3.medium``."""

    min_size: int = 1
    """Minimum instances in the zone. Default: ``1``."""

    desired_capacity: int = 1
    """Desired instances in the zone. Default: ``1``."""

    max_size: int = 2
    """Maximum instances in the zone. Default: ``2``."""

    fixed_carrier_ip: bool = False
    """Allocate a fixed carrier IP (an Eip in the zone's network border group). Default: ``false``."""

    data_classification: DataClassification = DataClassification.PERSONAL
    """Classification of data on the zone's volumes: personal is allowed at the edge, sensitive is not.
    Default: ``personal``."""


@dataclass(frozen=True)
class EksArgs:
    """Optional EKS: control plane in the parent region, a self-managed node group in each zone."""

    enabled: bool = False
    """Create an EKS cluster per zone VPC. Default: ``false``."""

    version: str = "1.33"
    """Kubernetes version of the control plane. Default: ``1.33``."""

    node_instance_type: str = "t3.xlarge"
    """Instance type of the zone's node group; must be offered in the zone. Default: ``t3.xlarge``."""

    node_min_size: int = 1
    """Minimum nodes per zone. Default: ``1``."""

    node_desired_size: int = 2
    """Desired nodes per zone. Default: ``2``."""

    node_max_size: int = 3
    """Maximum nodes per zone. Default: ``3``."""

    public_endpoint_cidrs: list[str] = field(default_factory=list)
    """CIDRs allowed to reach the API server publicly; empty keeps the endpoint private. Default: none."""


@dataclass(frozen=True)
class AlbArgs:
    """Optional Application Load Balancer in the zone (offered zone by zone: Casablanca is not confirmed)."""

    enabled: bool = False
    """Put an ALB in the zone subnets in front of the Auto Scaling group. Default: ``false``."""

    certificate_arn: str | None = None
    """ACM certificate ARN of the HTTPS listener (required when enabled). Default: none."""

    target_port: int = 8080
    """Port the instances serve behind the ALB (HTTP). Default: ``8080``."""


@dataclass(frozen=True, kw_only=True)
class EdgeSpec:
    """The pattern's own inputs, pure: what a blueprint's settings embed (declared once, here)."""

    zones: list[EdgeZoneArgs] = field(default_factory=lambda: [EdgeZoneArgs()])
    """Wavelength zones, all of the provider's region; one VPC each.
    Default: one zone, ``eu-west-3-cmn-wlz-1a``."""

    regional_az_count: int = 2
    """Regional AZs with public and private subnets (at least 2). Default: ``2``."""

    regional_azs: list[str] = field(default_factory=list)
    """Regional AZ names; empty resolves the region's first opt-in-free AZs at deploy time. Default: none."""

    nat: NatStrategy = NatStrategy.SINGLE
    """NAT gateways of the regional private subnets: none, single or per-az. Default: ``single``."""

    app_ports: list[int] = field(default_factory=lambda: [443])
    """TCP ports of the application, open from ``app_sources``. Default: ``[443]``."""

    app_sources: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """IPv4 CIDRs allowed to the application ports (handsets reach the zone through the carrier).
    Default: ``["0.0.0.0/0"]``."""

    image_id: str = DEFAULT_IMAGE
    """AMI of the edge instances (an id or a ``resolve:ssm:`` parameter). Default: Amazon Linux 2023."""

    ssh_key_name: str | None = None
    """EC2 key pair of the edge instances; none by default (use SSM Session Manager). Default: none."""

    offered_instance_types: Mapping[str, list[str]] = field(default_factory=dict)
    """Instance types offered per zone name, overriding the built-in data. Default: none (built-in data)."""

    endpoints: list[str] = field(default_factory=lambda: list(DEFAULT_ENDPOINTS))
    """Interface endpoint services in the regional private subnets.
    Default: ssm, ssmmessages, ec2messages, ecr.api, ecr.dkr, logs, sts, kms."""

    transit_gateway_id: str | None = None
    """The landing zone's Transit Gateway joining the zone VPCs; none creates the pattern's own when
    there are several zones. Default: none."""

    flow_log_retention_days: int = 365
    """Retention of the VPC flow logs (CloudWatch Logs, in the parent region). Default: ``365``."""

    log_classification: DataClassification = DataClassification.INTERNAL
    """Classification of the flow-log group (in the parent region); sensitive is refused.
    Default: ``internal``."""

    eks: EksArgs = field(default_factory=EksArgs)
    """Optional EKS. Default: disabled."""

    alb: AlbArgs = field(default_factory=AlbArgs)
    """Optional ALB in the zone. Default: disabled."""


@dataclass(frozen=True, kw_only=True)
class EdgeArgs(EdgeSpec):
    """Inputs of :class:`components.aws.edge.WavelengthEdge`: its :class:`EdgeSpec` and the stack's inputs."""

    region: str | None = None
    """The provider's region; ``None`` reads ``aws:region``. Default: ``None``."""

    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags, protect, diagnostics. Default: ``CommonArgs()``."""


@dataclass(frozen=True)
class SubnetSpec:
    """A planned subnet: tier (public, private, wavelength), index within its tier, block."""

    tier: str
    index: int
    cidr: IPv4Network


@dataclass(frozen=True)
class ZonePlan:
    """The plan of one zone's VPC."""

    index: int
    name: str
    vpc_cidr: IPv4Network
    regional_subnets: tuple[SubnetSpec, ...]
    zone_subnets: tuple[SubnetSpec, ...]

    def regional(self, tier: str) -> tuple[SubnetSpec, ...]:
        return tuple(s for s in self.regional_subnets if s.tier == tier)


@dataclass(frozen=True)
class EdgePlan:
    """The validated plan: region, regional AZ count, one :class:`ZonePlan` per zone."""

    region: str
    regional_az_count: int
    zones: tuple[ZonePlan, ...]

    @property
    def needs_transit_gateway(self) -> bool:
        return len(self.zones) > 1


def _k(prefix: str, *path: str) -> str:
    return prefix + ".".join(camel(p) if not p.startswith("[") else p for p in path).replace(".[", "[")


def validate_zone_name(key: str, name: str, region: str, region_key: str = "aws:region") -> None:
    """A Wavelength zone of ``region``, judged from its name (the deploy-time check confirms it)."""
    if not is_wavelength_zone_name(name):
        known = ", ".join(sorted(WAVELENGTH_ZONES))
        raise ConfigError(
            key,
            f"{name!r} is not a Wavelength zone name (expected <region>-<location>-wlz-<n>, optionally with a letter)",
            f"use a Wavelength zone such as {known}; regional AZs and Local Zones are not edge zones",
        )
    parent = WAVELENGTH_ZONES[name].parent_region if name in WAVELENGTH_ZONES else parent_region_of(name)
    if parent != region:
        raise ConfigError(
            f"{key} and {region_key}",
            f"zone {name!r} hangs off {parent}, not the provider's region {region}",
            f"set {region_key} to {parent} or put zones of {parent} in another stack",
        )


def validate_instance_type(
    key: str, instance_type: str, zone: str, overrides: Mapping[str, list[str]] | None
) -> None:
    """``instance_type`` must be offered in ``zone`` (built-in data or the override)."""
    offered = offered_types(zone, {z: tuple(t) for z, t in (overrides or {}).items()})
    if instance_type not in offered:
        raise ConfigError(
            key,
            f"{instance_type!r} is not offered in {zone} (offered: {', '.join(sorted(offered))})",
            "pick an offered type, or override kasbah:offeredInstanceTypes after checking "
            "`aws ec2 describe-instance-type-offerings` for the zone",
        )


def validate_classification(key: str, value: DataClassification | str, where: str) -> DataClassification:
    """Sensitive data is refused on AWS, the Wavelength zone included (Law 05-20, decree 2-24-921)."""
    try:
        cls = DataClassification(value)
    except ValueError:
        allowed = ", ".join(c.value for c in DataClassification)
        raise ConfigError(key, f"{value!r} is not a data classification", f"use one of {allowed}") from None
    if cls is DataClassification.SENSITIVE:
        raise ConfigError(
            key,
            f"sensitive data may not be stored {where}: an AWS Wavelength zone is run from its parent "
            "region and does not qualify under Law 05-20 and decree 2-24-921",
            "keep sensitive data on a qualified in-country sovereign cloud and use personal or lower here",
        )
    return cls


def _validate_sizes(
    prefix: str, path: tuple[str, ...], lo: int, want: int, hi: int, names: tuple[str, str, str]
) -> None:
    lo_n, want_n, hi_n = names
    if lo < 0:
        raise ConfigError(_k(prefix, *path, lo_n), f"{lo} is negative", "use 0 or more")
    if hi < 1:
        raise ConfigError(_k(prefix, *path, hi_n), f"{hi} is below 1", "use at least 1")
    if not lo <= want <= hi:
        raise ConfigError(
            f"{_k(prefix, *path, lo_n)} and {_k(prefix, *path, want_n)} and {_k(prefix, *path, hi_n)}",
            f"need min <= desired <= max, got {lo} <= {want} <= {hi}",
            "order the three sizes",
        )


def _validate_ports_and_sources(prefix: str, args: EdgeArgs) -> list[IPv4Network]:
    ports_key, sources_key = _k(prefix, "app_ports"), _k(prefix, "app_sources")
    if not args.app_ports:
        raise ConfigError(ports_key, "no application port", "list at least one TCP port, e.g. [443]")
    for i, port in enumerate(args.app_ports):
        if not 1 <= port <= 65535:
            raise ConfigError(f"{ports_key}[{i}]", f"{port} is not a TCP port", "use 1-65535")
    if len(set(args.app_ports)) != len(args.app_ports):
        raise ConfigError(ports_key, "a port is listed twice", "list each port once")
    if not args.app_sources:
        raise ConfigError(sources_key, "no source CIDR", "list the CIDRs allowed to the application ports")
    sources = [parse_cidr(f"{sources_key}[{i}]", s) for i, s in enumerate(args.app_sources)]
    if any(s.prefixlen == 0 for s in sources):
        admin = sorted(set(args.app_ports) & MANAGEMENT_PORTS.keys())
        if admin:
            raise ConfigError(
                f"{ports_key} and {sources_key}",
                f"administration port(s) {admin} would be open to anywhere (0.0.0.0/0)",
                "remove admin ports (use SSM Session Manager) or restrict the sources",
            )
    return sources


def _validate_zone(prefix: str, i: int, zone: EdgeZoneArgs, args: EdgeArgs, region: str) -> IPv4Network:
    path = ("zones", f"[{i}]")
    validate_zone_name(_k(prefix, *path, "name"), zone.name, region)
    if zone.ipv6:
        raise ConfigError(
            _k(prefix, *path, "ipv6"),
            "Wavelength zones are IPv4 only: no IPv6 in zone subnets",
            "set it to false",
        )
    if not 1 <= zone.zone_subnet_count <= 8:
        raise ConfigError(
            _k(prefix, *path, "zone_subnet_count"), f"{zone.zone_subnet_count} is not 1-8", "use 1-8"
        )
    validate_instance_type(
        _k(prefix, *path, "instance_type"), zone.instance_type, zone.name, args.offered_instance_types
    )
    _validate_sizes(
        prefix,
        path,
        zone.min_size,
        zone.desired_capacity,
        zone.max_size,
        ("min_size", "desired_capacity", "max_size"),
    )
    validate_classification(
        _k(prefix, *path, "data_classification"), zone.data_classification, "in the Wavelength zone"
    )
    if args.eks.enabled:
        validate_instance_type(
            _k(prefix, "eks", "node_instance_type"),
            args.eks.node_instance_type,
            zone.name,
            args.offered_instance_types,
        )
    net = parse_cidr(_k(prefix, *path, "cidr"), zone.cidr)
    if not 16 <= net.prefixlen <= 24:
        raise ConfigError(
            _k(prefix, *path, "cidr"), f"/{net.prefixlen} is not /16-/24", "give the VPC a /16 to /24 block"
        )
    return net


def _validate_regional(prefix: str, args: EdgeArgs, region: str) -> int:
    count_key, azs_key = _k(prefix, "regional_az_count"), _k(prefix, "regional_azs")
    if args.regional_az_count < 2:
        raise ConfigError(
            count_key,
            f"{args.regional_az_count} regional AZ(s): load balancers, EKS and endpoints need at least 2",
            "use 2 or 3",
        )
    if args.regional_azs:
        if len(args.regional_azs) != args.regional_az_count:
            raise ConfigError(
                f"{azs_key} and {count_key}",
                f"{len(args.regional_azs)} AZ name(s) for a count of {args.regional_az_count}",
                "list exactly as many AZs as the count, or leave the list empty",
            )
        if len(set(args.regional_azs)) != len(args.regional_azs):
            raise ConfigError(azs_key, "an AZ is listed twice", "list each AZ once")
        for j, az in enumerate(args.regional_azs):
            if is_wavelength_zone_name(az) or not re.fullmatch(re.escape(region) + r"[a-z]", az):
                raise ConfigError(
                    f"{azs_key}[{j}]",
                    f"{az!r} is not a regional AZ of {region}",
                    f"use names like {region}a, {region}b",
                )
    return args.regional_az_count


def _validate_misc(prefix: str, args: EdgeArgs, region: str) -> None:
    if args.transit_gateway_id is not None and not _TGW_RE.match(args.transit_gateway_id):
        raise ConfigError(
            _k(prefix, "transit_gateway_id"),
            f"{args.transit_gateway_id!r} is not a Transit Gateway id",
            "use tgw-...",
        )
    if args.flow_log_retention_days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            _k(prefix, "flow_log_retention_days"),
            f"{args.flow_log_retention_days} is not a CloudWatch Logs retention",
            f"use one of {sorted(LOG_RETENTION_DAYS)}",
        )
    validate_classification(
        _k(prefix, "log_classification"), args.log_classification, f"in the flow logs ({region})"
    )
    ep_key = _k(prefix, "endpoints")
    if len(set(args.endpoints)) != len(args.endpoints):
        raise ConfigError(ep_key, "an endpoint service is listed twice", "list each service once")
    for j, svc in enumerate(args.endpoints):
        if not re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", svc) or svc == "s3":
            raise ConfigError(
                f"{ep_key}[{j}]",
                f"{svc!r} is not an interface endpoint short name (s3 is a gateway endpoint, always added)",
                "use names such as ssm, ecr.api, logs",
            )
    if args.ssh_key_name == "":
        raise ConfigError(_k(prefix, "ssh_key_name"), "empty key pair name", "leave it unset (no SSH key)")
    if not args.image_id:
        raise ConfigError(
            _k(prefix, "image_id"), "empty image id", "use an ami-... id or a resolve:ssm: parameter"
        )
    alb = args.alb
    if alb.enabled:
        cert_key = _k(prefix, "alb", "certificate_arn")
        if not alb.certificate_arn:
            raise ConfigError(
                f"{_k(prefix, 'alb', 'enabled')} and {cert_key}",
                "the ALB serves HTTPS only (HTTP redirects) and needs a certificate",
                "set the ACM certificate ARN, or disable the ALB",
            )
        match = _ACM_RE.match(alb.certificate_arn)
        if not match:
            raise ConfigError(
                cert_key, f"{alb.certificate_arn!r} is not an ACM certificate ARN", "use arn:aws:acm:..."
            )
        if match.group("region") != region:
            raise ConfigError(
                f"{cert_key} and aws:region",
                f"the certificate is in {match.group('region')}, the ALB in {region}",
                f"issue or import the certificate in {region}",
            )
    if not 1 <= alb.target_port <= 65535:
        raise ConfigError(
            _k(prefix, "alb", "target_port"), f"{alb.target_port} is not a TCP port", "use 1-65535"
        )
    eks = args.eks
    if eks.enabled:
        if not _K8S_VERSION_RE.match(eks.version):
            raise ConfigError(
                _k(prefix, "eks", "version"), f"{eks.version!r} is not a Kubernetes version", "use e.g. 1.33"
            )
        _validate_sizes(
            prefix,
            ("eks",),
            eks.node_min_size,
            eks.node_desired_size,
            eks.node_max_size,
            ("node_min_size", "node_desired_size", "node_max_size"),
        )
    for j, cidr in enumerate(eks.public_endpoint_cidrs):
        key = f"{_k(prefix, 'eks', 'public_endpoint_cidrs')}[{j}]"
        if parse_cidr(key, cidr).prefixlen == 0:
            raise ConfigError(
                key, "the Kubernetes API would be open to anywhere", "list your operators' CIDRs"
            )


def plan_edge(args: EdgeArgs, region: str | None, prefix: str = "EdgeArgs.") -> EdgePlan:
    """Validate ``args`` for a provider in ``region`` and plan each zone's VPC. Pure.

    Raises a :class:`ConfigError` naming the key (under ``prefix``) of the first problem: a name
    that is not a Wavelength zone, a zone of another region, IPv6 in a zone, an instance type not
    offered in the zone, sensitive data at the edge, overlapping VPCs, a too-small block...
    """
    region = args.region or region
    if not region:
        raise ConfigError(
            "aws:region", "no AWS region", "set aws:region to the zones' parent region, e.g. eu-west-3"
        )
    if not is_region_name(region):
        raise ConfigError(
            _k(prefix, "region") if args.region else "aws:region",
            f"{region!r} is not an AWS region",
            "e.g. eu-west-3",
        )
    if not args.zones:
        raise ConfigError(
            _k(prefix, "zones"), "no Wavelength zone", f"list at least one zone, e.g. {CASABLANCA_WLZ.name}"
        )
    names = [z.name for z in args.zones]
    for i, name in enumerate(names):
        if names.index(name) != i:
            first = _k(prefix, "zones", f"[{names.index(name)}]", "name")
            raise ConfigError(
                f"{first} and {_k(prefix, 'zones', f'[{i}]', 'name')}",
                f"zone {name!r} is listed twice",
                "list each zone once (one VPC per zone)",
            )
    az_count = _validate_regional(prefix, args, region)
    _validate_ports_and_sources(prefix, args)
    _validate_misc(prefix, args, region)
    nets = {
        _k(prefix, "zones", f"[{i}]", "cidr"): _validate_zone(prefix, i, z, args, region)
        for i, z in enumerate(args.zones)
    }
    assert_disjoint(nets)
    plans: list[ZonePlan] = []
    for i, (zone, (key, net)) in enumerate(zip(args.zones, nets.items(), strict=True)):
        width = max(az_count, zone.zone_subnet_count)
        raw = plan_subnets(key, net, (*REGIONAL_TIERS, ZONE_TIER), width)
        regional = tuple(
            SubnetSpec(p.tier, p.zone_index, p.cidr)
            for p in raw
            if p.tier != ZONE_TIER and p.zone_index < az_count
        )
        in_zone = tuple(
            SubnetSpec(p.tier, p.zone_index, p.cidr)
            for p in raw
            if p.tier == ZONE_TIER and p.zone_index < zone.zone_subnet_count
        )
        plans.append(ZonePlan(i, zone.name, net, regional, in_zone))
    return EdgePlan(region, az_count, tuple(plans))


def zone_label(name: str) -> str:
    """A short, deterministic label of a zone for child names: ``eu-west-3-cmn-wlz-1a`` -> ``cmn-wlz-1a``."""
    parent = parent_region_of(name)
    return name[len(parent) + 1 :] if parent else name


def check_resolved_zone(
    key: str,
    requested: str,
    zone_type: str,
    zone_region: str,
    provider_region: str,
    region_key: str = "aws:region",
) -> None:
    """The deploy-time check of what AWS answered for a zone (``aws.get_availability_zone``). Pure.

    Refuses a zone that AWS does not call a Wavelength zone, or whose region is not the
    provider's region, with a one-line :class:`ConfigError` naming the key.
    """
    if zone_type != "wavelength-zone":
        raise ConfigError(
            key,
            f"AWS reports {requested!r} as a {zone_type or 'zone of unknown type'}, not a Wavelength zone",
            "use a Wavelength zone name (aws ec2 describe-availability-zones --all-availability-zones "
            "--filters Name=zone-type,Values=wavelength-zone)",
        )
    if zone_region != provider_region:
        raise ConfigError(
            f"{key} and {region_key}",
            f"AWS reports {requested!r} in {zone_region}, not the provider's region {provider_region}",
            f"set {region_key} to {zone_region} or put this zone in another stack",
        )
