"""OpenStack in the engine registry: the project a provider targets, and canned invokes.

Answers agree with the stack's configuration: the region is the invoke provider's ``region``
(explicit provider inputs, else ``openstack:region``, else ``OS_REGION_NAME``); ids are stable
UUIDs derived from what was asked, so two previews of one program give the same ids.

pulumi-openstack's provider schema makes no setting required (``auth_url``, ``region`` and the
credentials default to the ``OS_*`` environment variables: terraform-provider-openstack
``openstack/provider.go``), so no configuration is refused offline; a store without a region is
reported by the residency pack instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from kasbah import facts
from kasbah.engine.clouds.base import Answer, Cloud, InvokeContext

REGION_ENV_VARS = ("OS_REGION_NAME",)
_NAMESPACE = uuid.UUID("6b0d3c52-0b3a-4a57-9a1e-6f0b9c2a51e1")

INVOKES: dict[str, Answer] = {}


def _register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        INVOKES[token] = fn
        return fn

    return deco


def stable_id(*parts: str) -> str:
    """A deterministic UUID (OpenStack ids are UUIDs) from what identifies the object offline."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def region(ctx: InvokeContext) -> str:
    found = ctx.provider_inputs.get("region")
    if found:
        return str(found)
    return str(ctx.environment.get("OS_REGION_NAME") or "")


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    """The project an OpenStack provider is scoped to (``tenantName`` or ``tenantId``), None: the stack's."""
    for key in ("tenantName", "tenantId"):
        value = provider_inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


@_register("openstack:networking/getNetwork:getNetwork")
def _network(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A network found by name (the provider's external network when ``external`` is true)."""
    name = str(args.get("name") or args.get("networkId") or "network")
    reg = str(args.get("region") or region(ctx))
    net_id = str(args.get("networkId") or stable_id("network", reg, name))
    return {
        "id": net_id,
        "networkId": net_id,
        "name": name,
        "region": reg,
        "external": bool(args.get("external", False)),
        "shared": False,
        "adminStateUp": "true",
        "allTags": [],
        "availabilityZoneHints": [],
        "description": "",
        "dnsDomain": "",
        "mtu": 1500,
        "segments": [],
        "status": "ACTIVE",
        "subnets": [stable_id("subnet", reg, name)],
        "tenantId": stable_id("project", "operator"),
        "transparentVlan": False,
    }


@_register("openstack:identity/getRole:getRole")
def _role(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A Keystone role by name (``reader``, ``member``, ``admin`` exist in every deployment since Rocky)."""
    name = str(args.get("name"))
    return {
        "id": stable_id("role", name),
        "name": name,
        "domainId": str(args.get("domainId") or ""),
        "region": str(args.get("region") or region(ctx)),
    }


@_register("openstack:identity/getAuthScope:getAuthScope")
def _auth_scope(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The token's scope: its project from the provider's ``tenantId``/``tenantName``, else ``kasbah:projectId``."""
    project_name = str(
        ctx.provider_inputs.get("tenantName") or ctx.config.get("kasbah:projectName") or "project"
    )
    project_id = str(
        ctx.provider_inputs.get("tenantId")
        or ctx.config.get("kasbah:projectId")
        or stable_id("project", project_name)
    )
    domain = str(ctx.provider_inputs.get("userDomainName") or "Default")
    return {
        "id": str(args.get("name") or "current"),
        "name": str(args.get("name") or "current"),
        "domainId": "",
        "domainName": "",
        "projectId": project_id,
        "projectName": project_name,
        "projectDomainId": "default",
        "projectDomainName": domain,
        "region": region(ctx),
        "roles": [{"roleId": stable_id("role", "member"), "roleName": "member"}],
        "serviceCatalogs": [],
        "setTokenId": False,
        "tokenId": "",
        "userDomainId": "default",
        "userDomainName": domain,
        "userId": stable_id("user", str(ctx.provider_inputs.get("userName") or "deployer")),
        "userName": str(ctx.provider_inputs.get("userName") or "deployer"),
    }


CLOUD = Cloud(
    name="openstack",
    packages=tuple(p for p, c in facts.PROVIDER_PACKAGES.items() if c == facts.Cloud.OPENSTACK),
    title="OpenStack",
    account_word="project",
    invokes=INVOKES,
    account_of=account_of,
    env_vars=REGION_ENV_VARS,
)
