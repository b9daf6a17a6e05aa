"""Azure in the engine registry: the subscription a provider targets and canned invokes.

The subscription comes from the provider's ``subscriptionId`` (explicit provider inputs, else
``azure-native:subscriptionId``), the tenant from ``kasbah:tenantId``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kasbah import facts
from kasbah.engine.clouds.base import Answer, Cloud, InvokeContext

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT_ID = "11111111-1111-1111-1111-111111111111"
DEFAULT_LOCATION = "francecentral"

INVOKES: dict[str, Answer] = {}


def _register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        INVOKES[token] = fn
        return fn

    return deco


def subscription_id(ctx: InvokeContext) -> str:
    return str(
        ctx.provider_inputs.get("subscriptionId")
        or ctx.config.get("azure-native:subscriptionId")
        or DEFAULT_SUBSCRIPTION_ID
    )


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    """The subscription an Azure provider targets (None: the stack's own)."""
    sub = provider_inputs.get("subscriptionId")
    return str(sub) if isinstance(sub, str) and sub else None


@_register("azure-native:authorization:getClientConfig")
def _az_client(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The deployment identity in the subscription from ``azure-native:subscriptionId``."""
    return {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": subscription_id(ctx),
        "tenantId": str(ctx.config.get("kasbah:tenantId") or DEFAULT_TENANT_ID),
    }


@_register("azure-native:resources:getResourceGroup")
def _az_rg(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing resource group in the default location."""
    name = str(args.get("resourceGroupName"))
    loc = str(
        ctx.provider_inputs.get("location") or ctx.config.get("azure-native:location") or DEFAULT_LOCATION
    )
    return {
        "id": f"/subscriptions/{subscription_id(ctx)}/resourceGroups/{name}",
        "name": name,
        "location": loc,
        "type": "Microsoft.Resources/resourceGroups",
        "tags": {},
        "properties": {"provisioningState": "Succeeded"},
    }


CLOUD = Cloud(
    name="azure",
    packages=tuple(p for p, c in facts.PROVIDER_PACKAGES.items() if c == facts.Cloud.AZURE),
    title="Azure",
    account_word="subscription",
    invokes=INVOKES,
    account_of=account_of,
)
