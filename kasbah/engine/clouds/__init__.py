"""The engine's cloud registry: one module per cloud, one entry per module.

Each cloud module (:mod:`.aws`, :mod:`.azure`, :mod:`.gcp`) builds a :class:`~.base.Cloud`: the
packages it owns, the provider emulation policies can observe (AWS ``tagsAll``), the
provider's configuration check, the canned invokes, and how graphs and reports label
its locations. Adding a cloud means adding a module and one entry in ``CLOUDS``.
"""

from __future__ import annotations

from kasbah.engine.clouds import aws, azure, gcp, openstack, vsphere
from kasbah.engine.clouds.base import (
    Answer,
    Cloud,
    InvokeContext,
    InvokeFailure,
    NotAnswered,
    ProviderConfigError,
)
from kasbah.engine.model import PROVIDER_PREFIX

CLOUDS: tuple[Cloud, ...] = (aws.CLOUD, azure.CLOUD, gcp.CLOUD, openstack.CLOUD, vsphere.CLOUD)

_BY_PACKAGE: dict[str, Cloud] = {p: c for c in CLOUDS for p in c.packages}

INVOKES: dict[str, Answer] = {tok: fn for c in CLOUDS for tok, fn in c.invokes.items()}
"""Every cloud's canned invokes by token: the one table the monitor answers from."""


def package_of(type_: str) -> str:
    """The Pulumi package of a type or invoke token (``pulumi:providers:aws`` -> ``aws``)."""
    if type_.startswith(PROVIDER_PREFIX):
        return type_[len(PROVIDER_PREFIX) :]
    return type_.split(":", 1)[0]


def cloud_for(type_: str) -> Cloud | None:
    """The registry entry of a type or invoke token's package, None for other packages."""
    return _BY_PACKAGE.get(package_of(type_))


def cloud_of(type_: str) -> str | None:
    """``aws``, ``azure`` (or another registered cloud) for a token, derived from its package."""
    cloud = cloud_for(type_)
    return cloud.name if cloud else None


__all__ = [
    "CLOUDS",
    "INVOKES",
    "Answer",
    "Cloud",
    "InvokeContext",
    "InvokeFailure",
    "NotAnswered",
    "ProviderConfigError",
    "cloud_for",
    "cloud_of",
    "package_of",
]
