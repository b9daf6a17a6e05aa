"""The OpenStack sovereign landing zone's arguments and pure planning (no Pulumi: tests call these).

A tenant-side landing zone: what a project-scoped (or domain-manager) token can build in an
OpenStack cloud operated in Morocco. The operator-side steps (domains, flavors, encrypted volume
types, external networks) are the operator's, documented in the blueprint README; quotas are set
when the deploying identity is a cloud admin (:class:`OperatorRights`).

Sources (each resource is checked against its page; cited again where it is built):
- Keystone default roles reader/member/admin:
  https://docs.openstack.org/keystone/latest/admin/service-api-protection.html
- Octavia TLS-terminated listeners with Barbican certificates:
  https://docs.openstack.org/octavia/latest/user/guides/basic-cookbook.html
- Cinder LUKS-encrypted volume types (created by the operator):
  https://docs.openstack.org/cinder/latest/configuration/block-storage/volume-encryption.html
- Swift container sync: https://docs.openstack.org/swift/latest/overview_container_sync.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from components.cidr import assert_disjoint, parse_cidr
from components.common import CommonArgs, DataClassification, validate_prefix
from components.errors import ConfigError
from kasbah.facts import REMOTE_ADMIN_PORTS


class IdentityScope(StrEnum):
    """What the deploying token may do in Keystone."""

    DOMAIN_MANAGER = "domain-manager"
    """A domain manager (or admin): the landing zone creates one project per environment, three groups per
    project (readers, members, admins) and their role assignments."""
    PROJECT = "project"
    """A project-scoped token: projects, groups and role assignments exist already (the operator made them);
    the landing zone only builds inside the token's project."""


class OperatorRights(StrEnum):
    """Whether the deploying identity is a cloud admin (quotas are an admin API)."""

    NONE = "none"
    """Tenant rights only: quotas are the operator's (documented)."""
    ADMIN = "admin"
    """Cloud admin: the landing zone sets block-storage, compute and network quotas per project."""


class TierRouting(StrEnum):
    """Whether a tier's subnet is attached to the router (egress through the provider's external network)."""

    ROUTED = "routed"
    ISOLATED = "isolated"


class PoolProtocol(StrEnum):
    """Protocol from the load balancer to its members (the listener always terminates HTTPS)."""

    HTTP = "HTTP"
    HTTPS = "HTTPS"
    """Re-encrypt to the members (``tls_enabled``)."""


KEYSTONE_ROLES: tuple[str, ...] = ("reader", "member", "admin")
"""Keystone's default roles (since Rocky), least to most privileged: one group per role and project."""


@dataclass(frozen=True)
class TierArgs:
    """One network tier: a tenant network and its subnet."""

    name: str = "app"
    """Tier name (lowercase letters, digits, hyphens). Default: ``app``."""
    cidr: str = "10.80.1.0/24"
    """The subnet's IPv4 block. Default: ``10.80.1.0/24``."""
    routing: TierRouting = TierRouting.ROUTED
    """``routed``: attached to the router; ``isolated``: no route out. Default: ``routed``."""


@dataclass(frozen=True)
class NetworkArgs:
    """Tenant networks per tier and one router to the provider's external network."""

    external_network: str = "public"
    """Name of the operator's external network (looked up; never created by a tenant). Default: ``public``."""
    tiers: list[TierArgs] = field(
        default_factory=lambda: [
            TierArgs("web", "10.80.0.0/24"),
            TierArgs("app", "10.80.1.0/24"),
            TierArgs("data", "10.80.2.0/24", TierRouting.ISOLATED),
        ]
    )
    """Tiers, one network and subnet each. Default: ``web`` and ``app`` routed, ``data`` isolated."""
    dns_nameservers: list[str] = field(default_factory=list)
    """Resolvers handed out by DHCP; empty uses the operator's. Default: none."""


@dataclass(frozen=True)
class SecurityArgs:
    """The baseline security group: deny by default (the default egress rules deleted), then allow-lists."""

    admin_cidrs: list[str] = field(default_factory=list)
    """Bastion or VPN ranges allowed to the admin ports (never ``0.0.0.0/0``). Default: none (no admin access)."""
    admin_ports: list[int] = field(default_factory=lambda: sorted(REMOTE_ADMIN_PORTS))
    """Admin ports opened to ``adminCidrs`` only. Default: SSH, RDP, WinRM (``kasbah.facts``)."""
    app_ports: list[int] = field(default_factory=lambda: [443])
    """TCP ports opened from ``appSources`` to the web tier. Default: ``[443]``."""
    app_sources: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """Sources of the application ports. Default: ``["0.0.0.0/0"]``."""
    egress_cidrs: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """Destinations of the allowed egress. Default: ``["0.0.0.0/0"]``."""
    egress_tcp_ports: list[int] = field(default_factory=lambda: [443])
    """TCP egress ports (package mirrors, APIs). Default: ``[443]``."""
    egress_udp_ports: list[int] = field(default_factory=lambda: [53, 123])
    """UDP egress ports (DNS, NTP). Default: ``[53, 123]``."""


@dataclass(frozen=True)
class LoadBalancerArgs:
    """An Octavia load balancer on the web tier, with an HTTPS listener whose certificate is in Barbican."""

    enabled: bool = False
    """Create the load balancer. Default: ``false``."""
    tier: str = "web"
    """Tier of the VIP. Default: ``web``."""
    certificate_ref: str = ""
    """Barbican reference of the TLS certificate (a PKCS12 secret or a certificate container, readable by
    the Octavia service user), e.g. ``https://barbican.example:9311/v1/secrets/<uuid>``. Required when
    enabled. Default: none."""
    tls_versions: list[str] = field(default_factory=lambda: ["TLSv1.2", "TLSv1.3"])
    """TLS versions the listener accepts. Default: ``["TLSv1.2", "TLSv1.3"]``."""
    backend_port: int = 8443
    """Port of the members. Default: ``8443``."""
    pool_protocol: PoolProtocol = PoolProtocol.HTTPS
    """Protocol to the members. Default: ``HTTPS`` (re-encrypted)."""
    health_path: str = "/healthz"
    """HTTP path of the health monitor. Default: ``/healthz``."""


@dataclass(frozen=True)
class VolumeArgs:
    """A Cinder volume, of a type on the encrypted allow-list."""

    name: str = "data"
    """Volume name. Default: ``data``."""
    size_gb: int = 10
    """Size in GiB. Default: ``10``."""
    volume_type: str = "luks"
    """Volume type; must be on ``encryptedVolumeTypes``. Default: ``luks``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Data class, in the volume's metadata. Default: ``internal``."""


@dataclass(frozen=True)
class ContainerArgs:
    """A Swift container, optionally synced to another container of this landing zone."""

    name: str = "data"
    """Container name. Default: ``data``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Data class, in the container's metadata. Default: ``internal``."""
    versioning: bool = True
    """Keep object versions. Default: ``true``."""
    sync_to: str | None = None
    """Name of another container of this list to sync to (Swift container sync); never an outside URL.
    Default: none."""
    region: str | None = None
    """Region of the container; empty uses the provider's. Default: none."""


@dataclass(frozen=True)
class SyncArgs:
    """Swift container-sync realm and cluster (operator's ``container-sync-realms.conf``)."""

    realm: str = ""
    """Sync realm name. Required when a container has ``syncTo``. Default: none."""
    cluster: str = ""
    """Cluster name in the realm. Required when a container has ``syncTo``. Default: none."""


@dataclass(frozen=True)
class DnsArgs:
    """A Designate primary zone."""

    zone: str = ""
    """Zone name with its final dot (``dev.example.ma.``); empty creates none. Default: none."""
    email: str = ""
    """Zone administrator's email (SOA). Required with a zone. Default: none."""
    ttl: int = 3600
    """Zone TTL, in seconds. Default: ``3600``."""


@dataclass(frozen=True)
class QuotaArgs:
    """Quotas set per project when the deploying identity is a cloud admin."""

    volumes: int = 20
    """Cinder volumes. Default: ``20``."""
    gigabytes: int = 1000
    """Cinder GiB. Default: ``1000``."""
    instances: int = 20
    """Nova instances. Default: ``20``."""
    cores: int = 40
    """Nova cores. Default: ``40``."""
    ram_mb: int = 81920
    """Nova RAM in MiB. Default: ``81920``."""
    floating_ips: int = 2
    """Neutron floating IPs. Default: ``2``."""
    security_groups: int = 20
    """Neutron security groups. Default: ``20``."""


@dataclass(frozen=True)
class OpenStackLandingZoneArgs:
    """Everything the OpenStack sovereign landing zone builds."""

    environments: list[str] = field(default_factory=lambda: ["dev", "prod"])
    """Environments: one project each (domain-manager scope). Default: ``["dev", "prod"]``."""
    identity_scope: IdentityScope = IdentityScope.PROJECT
    """What the token may do in Keystone. Default: ``project``."""
    domain_id: str = "default"
    """Keystone domain of the projects and groups. Default: ``default``."""
    operator_rights: OperatorRights = OperatorRights.NONE
    """Whether the identity may set quotas. Default: ``none``."""
    quotas: QuotaArgs = field(default_factory=QuotaArgs)
    """Quotas per project (with ``operatorRights: admin``). Default: see the fields."""
    network: NetworkArgs = field(default_factory=NetworkArgs)
    """Networks, subnets and router. Default: see the fields."""
    security: SecurityArgs = field(default_factory=SecurityArgs)
    """The baseline security group. Default: see the fields."""
    load_balancer: LoadBalancerArgs = field(default_factory=LoadBalancerArgs)
    """The Octavia load balancer. Default: disabled."""
    encrypted_volume_types: list[str] = field(default_factory=lambda: ["luks"])
    """Volume types the operator made LUKS-encrypted: the only types volumes may use. Default: ``["luks"]``."""
    volumes: list[VolumeArgs] = field(default_factory=list)
    """Cinder volumes. Default: none."""
    containers: list[ContainerArgs] = field(default_factory=list)
    """Swift containers. Default: none."""
    sync: SyncArgs = field(default_factory=SyncArgs)
    """Container-sync realm and cluster. Default: none."""
    dns: DnsArgs = field(default_factory=DnsArgs)
    """The Designate zone. Default: none."""
    keys: list[str] = field(default_factory=list)
    """Names of AES-256 keys Barbican generates (orders), for application-level encryption. Default: none."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, tags (not used by OpenStack resources but by metadata), protect."""


_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_BARBICAN_REF_RE = re.compile(r"^https://[^/\s]+(:\d+)?(/[^\s]*)?/v1/(secrets|containers)/[0-9a-f-]{36}$")
_ZONE_RE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+$")


def _check_name(key: str, value: str) -> None:
    if not _NAME_RE.match(value):
        raise ConfigError(key, f"{value!r} is not a short lowercase name", "use letters, digits and hyphens")


def _check_port(key: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise ConfigError(key, f"{port} is not a port", "use 1-65535")


def _unique(key: str, values: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ConfigError(f"{key}[{i}]", f"{v!r} is listed twice", "list each name once")
        seen.add(v)


def validate(args: OpenStackLandingZoneArgs, key_prefix: str = "") -> None:
    """Every rule the cloud or the baseline would refuse, before anything is registered."""
    k = key_prefix
    validate_prefix(args.common.prefix)
    if not args.environments:
        raise ConfigError(f"{k}environments", "no environment", 'list at least one, e.g. ["dev"]')
    for i, env in enumerate(args.environments):
        _check_name(f"{k}environments[{i}]", env)
    _unique(f"{k}environments", args.environments)
    if args.operator_rights is OperatorRights.ADMIN and args.identity_scope is IdentityScope.PROJECT:
        raise ConfigError(
            f"{k}operatorRights and {k}identityScope",
            "quotas are set per project the landing zone creates, but identityScope is project",
            "use identityScope: domain-manager with operatorRights: admin, or operatorRights: none",
        )
    _validate_network(args.network, k)
    _validate_security(args.security, k)
    _validate_lb(args.load_balancer, args.network, k)
    _validate_storage(args, k)
    if args.dns.zone:
        if not _ZONE_RE.match(args.dns.zone):
            raise ConfigError(f"{k}dns.zone", f"{args.dns.zone!r} is not a zone name", "end it with a dot")
        if "@" not in args.dns.email:
            raise ConfigError(f"{k}dns.email", "a zone needs its administrator's email", "set dns.email")
    for i, name in enumerate(args.keys):
        _check_name(f"{k}keys[{i}]", name)
    _unique(f"{k}keys", args.keys)


def _validate_network(net: NetworkArgs, k: str) -> None:
    if not net.external_network:
        raise ConfigError(f"{k}network.externalNetwork", "is empty", "name the operator's external network")
    if not net.tiers:
        raise ConfigError(f"{k}network.tiers", "no tier", "list at least one tier")
    blocks = {}
    for i, tier in enumerate(net.tiers):
        _check_name(f"{k}network.tiers[{i}].name", tier.name)
        blocks[f"{k}network.tiers[{i}].cidr"] = parse_cidr(f"{k}network.tiers[{i}].cidr", tier.cidr)
    _unique(f"{k}network.tiers", [t.name for t in net.tiers])
    assert_disjoint(blocks)


def _validate_security(sec: SecurityArgs, k: str) -> None:
    for i, cidr in enumerate(sec.admin_cidrs):
        block = parse_cidr(f"{k}security.adminCidrs[{i}]", cidr)
        if block.prefixlen == 0:
            raise ConfigError(
                f"{k}security.adminCidrs[{i}]",
                "admin ports are never open to 0.0.0.0/0",
                "give the bastion or VPN range",
            )
    for name, ports in (
        ("adminPorts", sec.admin_ports),
        ("appPorts", sec.app_ports),
        ("egressTcpPorts", sec.egress_tcp_ports),
        ("egressUdpPorts", sec.egress_udp_ports),
    ):
        for i, port in enumerate(ports):
            _check_port(f"{k}security.{name}[{i}]", port)
    overlap = sorted(set(sec.admin_ports) & set(sec.app_ports))
    if overlap:
        raise ConfigError(
            f"{k}security.adminPorts and {k}security.appPorts",
            f"port {overlap[0]} is both an admin port and an application port",
            "open admin ports only to adminCidrs",
        )
    for key, cidrs in (("appSources", sec.app_sources), ("egressCidrs", sec.egress_cidrs)):
        for i, cidr in enumerate(cidrs):
            parse_cidr(f"{k}security.{key}[{i}]", cidr)


def _validate_lb(lb: LoadBalancerArgs, net: NetworkArgs, k: str) -> None:
    if not lb.enabled:
        return
    if lb.tier not in {t.name for t in net.tiers}:
        raise ConfigError(
            f"{k}loadBalancer.tier and {k}network.tiers",
            f"tier {lb.tier!r} is not one of the network's tiers",
            "name an existing tier",
        )
    if not _BARBICAN_REF_RE.match(lb.certificate_ref):
        raise ConfigError(
            f"{k}loadBalancer.certificateRef",
            f"{lb.certificate_ref!r} is not a Barbican secret or container reference",
            "store the certificate in Barbican (openstack secret store) and give its https://.../v1/secrets/<uuid>",
        )
    bad = [v for v in lb.tls_versions if v not in ("TLSv1.2", "TLSv1.3")]
    if bad or not lb.tls_versions:
        raise ConfigError(
            f"{k}loadBalancer.tlsVersions", f"{bad or 'none'} is not allowed", "use TLSv1.2 and TLSv1.3 only"
        )
    _check_port(f"{k}loadBalancer.backendPort", lb.backend_port)
    if not lb.health_path.startswith("/"):
        raise ConfigError(
            f"{k}loadBalancer.healthPath", f"{lb.health_path!r} is not a path", "start it with /"
        )


def _validate_storage(args: OpenStackLandingZoneArgs, k: str) -> None:
    allowed = set(args.encrypted_volume_types)
    for i, vol in enumerate(args.volumes):
        _check_name(f"{k}volumes[{i}].name", vol.name)
        if vol.volume_type not in allowed:
            raise ConfigError(
                f"{k}volumes[{i}].volumeType and {k}encryptedVolumeTypes",
                f"{vol.volume_type!r} is not an encrypted (LUKS) volume type of the allow-list {sorted(allowed)}",
                "use an encrypted type, or ask the operator for one and add it to encryptedVolumeTypes",
            )
        if vol.size_gb < 1:
            raise ConfigError(f"{k}volumes[{i}].sizeGb", f"{vol.size_gb} GiB", "use at least 1")
    _unique(f"{k}volumes", [v.name for v in args.volumes])
    names = [c.name for c in args.containers]
    _unique(f"{k}containers", names)
    for i, c in enumerate(args.containers):
        _check_name(f"{k}containers[{i}].name", c.name)
        if c.sync_to is None:
            continue
        if c.sync_to not in names or c.sync_to == c.name:
            raise ConfigError(
                f"{k}containers[{i}].syncTo",
                f"{c.sync_to!r} is not another container of this landing zone",
                "sync only to a container declared here (a container outside the declared locations is refused)",
            )
        if not (args.sync.realm and args.sync.cluster):
            raise ConfigError(
                f"{k}containers[{i}].syncTo and {k}sync",
                "container sync needs the operator's sync realm and cluster",
                "set sync.realm and sync.cluster",
            )


def sync_target(realm: str, cluster: str, project_id: str, container: str) -> str:
    """``//realm/cluster/AUTH_<project>/<container>``: the X-Container-Sync-To value with realms."""
    return f"//{realm}/{cluster}/AUTH_{project_id}/{container}"


def physical_name(prefix: str, *parts: str) -> str:
    """``kbh-dev-app``: deterministic OpenStack names."""
    return "-".join([prefix, *parts])
