"""The vSphere sovereign landing zone's arguments and pure validation (no Pulumi: tests call these).

What a vCenter administrator (or a delegated tenant administrator) builds for a platform team:
folders and resource pools per environment and tenant, distributed port groups per VLAN segment,
tag categories and tags (environment, data classification), a tag-based storage policy that keeps
``sensitive`` VMs on encrypted datastores, a content library for golden images, roles and entity
permissions. NSX segmentation is not here: NSX has no published Python SDK package (see the
blueprint README).

Sources: terraform-provider-vsphere ``docs/resources`` (the source of pulumi-vsphere 4.x), cited
where each resource is built; the vSphere Security Configuration Guide for the port-group
security policy (reject promiscuous mode, forged transmits and MAC changes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlparse

from components.common import CommonArgs, validate_prefix
from components.errors import ConfigError


class AccessRole(StrEnum):
    """The persona a group gets on an environment's folder and resource pool."""

    READER = "reader"
    """vCenter's system role ``Read-only``."""
    OPERATOR = "operator"
    """Power, console and snapshots of existing VMs (a custom role)."""
    ADMIN = "admin"
    """Tenant administrator: create, configure and delete VMs from templates (a custom role)."""


OPERATOR_PRIVILEGES: tuple[str, ...] = (
    "VirtualMachine.Interact.ConsoleInteract",
    "VirtualMachine.Interact.PowerOff",
    "VirtualMachine.Interact.PowerOn",
    "VirtualMachine.Interact.Reset",
    "VirtualMachine.State.CreateSnapshot",
    "VirtualMachine.State.RevertToSnapshot",
)
"""Privilege ids of the operator role (vSphere's ``category.subcategory.privilege`` ids), sorted."""

ADMIN_PRIVILEGES: tuple[str, ...] = tuple(
    sorted(
        {
            *OPERATOR_PRIVILEGES,
            "Datastore.AllocateSpace",
            "Network.Assign",
            "Resource.AssignVMToPool",
            "VirtualMachine.Config.AddNewDisk",
            "VirtualMachine.Config.CPUCount",
            "VirtualMachine.Config.Memory",
            "VirtualMachine.Inventory.Create",
            "VirtualMachine.Inventory.Delete",
            "VirtualMachine.Provisioning.DeployTemplate",
        }
    )
)
"""Privilege ids of the tenant administrator role, sorted (no host, cluster, network or permission rights)."""

READ_ONLY_LABEL = "Read-only"
"""Label of vCenter's system ``ReadOnly`` role (looked up, never created)."""


@dataclass(frozen=True)
class TenantArgs:
    """A tenant of an environment: its folder and its resource pool with limits."""

    name: str = "team"
    """Tenant name (lowercase letters, digits, hyphens). Default: ``team``."""
    cpu_limit_mhz: int = 20000
    """CPU limit of the tenant's pool, MHz (-1: unlimited). Default: ``20000``."""
    memory_limit_mb: int = 65536
    """Memory limit of the tenant's pool, MiB (-1: unlimited). Default: ``65536``."""


@dataclass(frozen=True)
class EnvironmentArgs:
    """An environment: a VM folder and a resource pool with limits, holding its tenants."""

    name: str = "dev"
    """Environment name. Default: ``dev``."""
    cpu_limit_mhz: int = 40000
    """CPU limit of the environment's pool, MHz (-1: unlimited). Default: ``40000``."""
    memory_limit_mb: int = 131072
    """Memory limit of the environment's pool, MiB (-1: unlimited). Default: ``131072``."""
    tenants: list[TenantArgs] = field(default_factory=lambda: [TenantArgs()])
    """Tenants of the environment. Default: one tenant, ``team``."""


@dataclass(frozen=True)
class SegmentArgs:
    """A distributed port group on one VLAN."""

    name: str = "app"
    """Segment name. Default: ``app``."""
    vlan_id: int = 100
    """VLAN id (1-4094). Default: ``100``."""


@dataclass(frozen=True)
class AccessArgs:
    """A directory group's role on some environments (folder and resource pool, propagated)."""

    group: str = ""
    """The group, as vCenter names it (``EXAMPLE.MA\\platform-admins``). Required."""
    role: AccessRole = AccessRole.READER
    """The persona. Default: ``reader``."""
    environments: list[str] = field(default_factory=list)
    """Environments the group gets the role on; empty: all. Default: all."""


@dataclass(frozen=True)
class ContentLibraryArgs:
    """The golden-image content library: local by default; never published, subscribed only in-house."""

    datastore: str = ""
    """Datastore backing the library (by name); empty creates no library. Default: none."""
    subscription_url: str = ""
    """Publisher URL to subscribe to (``https://<vcenter>/cls/vcsp/lib/<id>/lib.json``); its host must be in
    ``allowedVcenters``. Default: none (a local library)."""


@dataclass(frozen=True)
class StoragePolicyArgs:
    """The tag-based placement of ``sensitive`` VMs on encrypted datastores."""

    category: str = "kasbah-storage"
    """Tag category of the datastore tags. Default: ``kasbah-storage``."""
    encrypted_tag: str = "encrypted"
    """Tag the operator puts on encrypted datastores (vSAN encryption or VM-encryption-backed). Default:
    ``encrypted``."""


@dataclass(frozen=True)
class VsphereLandingZoneArgs:
    """Everything the vSphere sovereign landing zone builds."""

    datacenter: str = "dc-casa-1"
    """The datacenter (by name). Default: ``dc-casa-1``."""
    cluster: str = "cluster-01"
    """The compute cluster whose root pool holds the environments' pools. Default: ``cluster-01``."""
    distributed_switch: str = "dvs-01"
    """The distributed switch of the port groups. Default: ``dvs-01``."""
    environments: list[EnvironmentArgs] = field(default_factory=lambda: [EnvironmentArgs()])
    """Environments. Default: ``dev`` with one tenant."""
    segments: list[SegmentArgs] = field(
        default_factory=lambda: [SegmentArgs("web", 110), SegmentArgs("app", 120), SegmentArgs("data", 130)]
    )
    """Port groups, one VLAN each. Default: web 110, app 120, data 130."""
    access: list[AccessArgs] = field(default_factory=list)
    """Group role assignments. Default: none."""
    content_library: ContentLibraryArgs = field(default_factory=ContentLibraryArgs)
    """The golden-image library. Default: none."""
    allowed_vcenters: list[str] = field(default_factory=list)
    """vCenters (host names) of the declared locations a library may subscribe to. Default: none."""
    storage_policy: StoragePolicyArgs = field(default_factory=StoragePolicyArgs)
    """The encrypted-datastore placement. Default: see the fields."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, protect."""


_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def _check_name(key: str, value: str) -> None:
    if not _NAME_RE.match(value):
        raise ConfigError(key, f"{value!r} is not a short lowercase name", "use letters, digits and hyphens")


def _unique(key: str, values: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ConfigError(f"{key}[{i}]", f"{v!r} is listed twice", "list each name once")
        seen.add(v)


def _check_limit(key: str, value: int) -> None:
    if value != -1 and value <= 0:
        raise ConfigError(key, f"{value} is not a limit", "give a positive limit, or -1 for none")


def validate(args: VsphereLandingZoneArgs, key_prefix: str = "") -> None:
    """Every rule vCenter or the baseline would refuse, before anything is registered."""
    k = key_prefix
    validate_prefix(args.common.prefix)
    for key, value in (
        ("datacenter", args.datacenter),
        ("cluster", args.cluster),
        ("distributedSwitch", args.distributed_switch),
    ):
        if not value:
            raise ConfigError(f"{k}{key}", "is empty", f"name the existing {key}")
    if not args.environments:
        raise ConfigError(f"{k}environments", "no environment", "list at least one")
    for i, env in enumerate(args.environments):
        _check_name(f"{k}environments[{i}].name", env.name)
        _check_limit(f"{k}environments[{i}].cpuLimitMhz", env.cpu_limit_mhz)
        _check_limit(f"{k}environments[{i}].memoryLimitMb", env.memory_limit_mb)
        _unique(f"{k}environments[{i}].tenants", [t.name for t in env.tenants])
        for j, tenant in enumerate(env.tenants):
            tk = f"{k}environments[{i}].tenants[{j}]"
            _check_name(f"{tk}.name", tenant.name)
            _check_limit(f"{tk}.cpuLimitMhz", tenant.cpu_limit_mhz)
            _check_limit(f"{tk}.memoryLimitMb", tenant.memory_limit_mb)
            for what, inner, outer in (
                ("cpuLimitMhz", tenant.cpu_limit_mhz, env.cpu_limit_mhz),
                ("memoryLimitMb", tenant.memory_limit_mb, env.memory_limit_mb),
            ):
                if outer != -1 and (inner == -1 or inner > outer):
                    raise ConfigError(
                        f"{tk}.{what} and {k}environments[{i}].{what}",
                        f"the tenant's limit ({inner}) exceeds its environment's ({outer})",
                        "keep each tenant within its environment",
                    )
    _unique(f"{k}environments", [e.name for e in args.environments])
    for i, seg in enumerate(args.segments):
        _check_name(f"{k}segments[{i}].name", seg.name)
        if not 1 <= seg.vlan_id <= 4094:
            raise ConfigError(f"{k}segments[{i}].vlanId", f"{seg.vlan_id} is not a VLAN id", "use 1-4094")
    _unique(f"{k}segments", [s.name for s in args.segments])
    _unique(f"{k}segments.vlanId", [str(s.vlan_id) for s in args.segments])
    envs = {e.name for e in args.environments}
    for i, acc in enumerate(args.access):
        if not acc.group:
            raise ConfigError(f"{k}access[{i}].group", "is empty", "name the directory group")
        for j, env_name in enumerate(acc.environments):
            if env_name not in envs:
                raise ConfigError(
                    f"{k}access[{i}].environments[{j}] and {k}environments",
                    f"{env_name!r} is not an environment",
                    "name a declared environment",
                )
    url = args.content_library.subscription_url
    if url:
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise ConfigError(
                f"{k}contentLibrary.subscriptionUrl", f"{url!r} is not an https URL", "use https"
            )
        if parsed.hostname not in args.allowed_vcenters:
            raise ConfigError(
                f"{k}contentLibrary.subscriptionUrl and {k}allowedVcenters",
                f"the publisher {parsed.hostname} is not a vCenter of the declared locations",
                "subscribe only to a library of a declared location, and list its vCenter in allowedVcenters",
            )
        if not args.content_library.datastore:
            raise ConfigError(
                f"{k}contentLibrary.datastore and {k}contentLibrary.subscriptionUrl",
                "a subscribed library needs a datastore",
                "set contentLibrary.datastore",
            )


def roles_of(access: Sequence[AccessArgs]) -> list[AccessRole]:
    """The custom roles to create (operator, admin), in a stable order, only when some group uses them."""
    used = {a.role for a in access}
    return [r for r in (AccessRole.OPERATOR, AccessRole.ADMIN) if r in used]


def privileges(role: AccessRole) -> list[str]:
    return list(OPERATOR_PRIVILEGES if role is AccessRole.OPERATOR else ADMIN_PRIVILEGES)
