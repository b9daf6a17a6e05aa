"""URNs formed as the Pulumi engine forms them."""

from __future__ import annotations

from kasbah.engine.model import STACK_TYPE


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """Form a URN as the engine does: the full ancestor type chain, the stack's type excluded.

    pulumi/pulumi ``sdk/go/common/resource/urn.go`` (``NewURN``): the qualified type is the
    parent's qualified type, ``$``, the type; a parent that is the stack contributes nothing.
    """
    qualified = type_
    if parent_urn:
        parent_qualified = parent_urn.split("::")[2]
        if parent_qualified != STACK_TYPE:
            qualified = f"{parent_qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def urn_type(urn: str) -> str:
    """The resource's own type (the last element of the qualified type)."""
    return urn.split("::")[2].split("$")[-1]


def urn_name(urn: str) -> str:
    return urn.split("::", 3)[-1]


def provider_urn(reference: str) -> str:
    """``<provider urn>::<id>`` (a provider reference) -> the provider's URN."""
    return reference.rsplit("::", 1)[0]
