"""VMware vSphere in the engine registry: the vCenter a provider targets, and canned invokes.

Inventory objects (datacenter, cluster, distributed switch, datastore) are found by name; the
answers give stable managed-object references derived from the name (``datacenter-<hash>``), and
the distributed switch a UUID, as the provider returns them. The vCenter is the provider's
``vsphereServer`` (``vsphere:vsphereServer``, else ``VSPHERE_SERVER``): reports label locations
with it, and the residency pack maps it, with the datacenter, to a declared sovereign location.

The provider schema requires ``user`` and ``password`` (terraform-provider-vsphere
``vsphere/provider.go``, from ``VSPHERE_USER``/``VSPHERE_PASSWORD`` when not in config);
credentials are never needed offline and are not checked, as for the other clouds.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from kasbah import facts
from kasbah.engine.clouds.base import Answer, Cloud, InvokeContext

SERVER_ENV_VARS = ("VSPHERE_SERVER",)

INVOKES: dict[str, Answer] = {}


def _register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        INVOKES[token] = fn
        return fn

    return deco


def moref(kind: str, *parts: str) -> str:
    """A stable managed-object reference id, e.g. ``datacenter-3f2a1c`` (real ones are ``datacenter-3``)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()[:6]
    return f"{kind}-{digest}"


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    """The vCenter a vSphere provider targets (``vsphereServer``)."""
    server = provider_inputs.get("vsphereServer")
    return str(server) if isinstance(server, str) and server else None


def _server(ctx: InvokeContext) -> str:
    return str(ctx.provider_inputs.get("vsphereServer") or ctx.environment.get("VSPHERE_SERVER") or "vcenter")


@_register("vsphere:index/getDatacenter:getDatacenter")
def _datacenter(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A datacenter by name (the default datacenter when no name is given)."""
    name = str(args.get("name") or "")
    return {"id": moref("datacenter", _server(ctx), name), "name": name, "virtualMachines": []}


@_register("vsphere:index/getComputeCluster:getComputeCluster")
def _cluster(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A cluster by name in a datacenter, with its root resource pool."""
    name, dc = str(args.get("name")), str(args.get("datacenterId") or "")
    return {
        "id": moref("domain-c", _server(ctx), dc, name),
        "name": name,
        "datacenterId": dc,
        "resourcePoolId": moref("resgroup", _server(ctx), dc, name),
    }


@_register("vsphere:index/getDistributedVirtualSwitch:getDistributedVirtualSwitch")
def _dvs(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A distributed switch by name: its id is the switch's UUID, as the provider returns it."""
    name, dc = str(args.get("name")), str(args.get("datacenterId") or "")
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"{_server(ctx)}/{dc}/{name}")
    return {"id": str(ident), "name": name, "datacenterId": dc, "uplinks": ["uplink1", "uplink2"]}


@_register("vsphere:index/getDatastore:getDatastore")
def _datastore(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A datastore by name in a datacenter."""
    name, dc = str(args.get("name")), str(args.get("datacenterId") or "")
    return {"id": moref("datastore", _server(ctx), dc, name), "name": name, "datacenterId": dc, "stats": {}}


SYSTEM_ROLES = {
    "Read-only": ("-2", "ReadOnly"),
    "Administrator": ("-1", "Admin"),
    "No access": ("-5", "NoAccess"),
}
"""vCenter's system roles by label: (id, name), as vCenter numbers them."""


@_register("vsphere:index/getRole:getRole")
def _role(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A role by label: a system role's fixed id (``Read-only`` is -2), else a stable id."""
    label = str(args.get("label"))
    ident, name = SYSTEM_ROLES.get(
        label, (str(-(int(hashlib.sha256(label.encode()).hexdigest()[:6], 16))), label)
    )
    return {"id": ident, "label": label, "name": name, "description": label, "rolePrivileges": []}


CLOUD = Cloud(
    name="vsphere",
    packages=tuple(p for p, c in facts.PROVIDER_PACKAGES.items() if c == facts.Cloud.VSPHERE),
    title="vSphere",
    account_word="vCenter",
    invokes=INVOKES,
    account_of=account_of,
    env_vars=SERVER_ENV_VARS,
)
