"""Durability rules for OpenStack: containers of personal or sensitive data keep object versions.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from kasbah.facts import CLASSIFICATION_TAG, DataClassification
from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    dnssi,
    get,
    is_true,
    meta,
    need,
    openstack_sg,
    rule,
    with_props,
)
from policies.security_baseline.openstack.tokens import CONTAINER

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

_PROTECTED = frozenset({DataClassification.PERSONAL.value, DataClassification.SENSITIVE.value})


def _versioning(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    cls = need(get(p, "metadata", CLASSIFICATION_TAG), f"metadata.{CLASSIFICATION_TAG}")
    if cls not in _PROTECTED:
        return
    if not (is_true(p.get("versioning"), "versioning") or p.get("versioningLegacy")):
        yield f"the container holds {cls} data and keeps no object versions (an overwrite or delete is final)."


OPENSTACK_CONTAINER_VERSIONING = rule(
    meta(
        "openstack-container-versioning",
        MEDIUM,
        "Swift containers of personal or sensitive data keep object versions.",
        "Set versioning = true (the operator must allow object versioning).",
        [openstack_sg("object-storage: Securing proxy services"), dnssi("Backup"), PERSONAL_DATA_SECURITY],
    ),
    {CONTAINER: with_props(_versioning)},
)
"""https://docs.openstack.org/swift/latest/middleware.html#object-versioning"""


POLICIES: list[Policy] = [
    OPENSTACK_CONTAINER_VERSIONING,
]
"""This domain's policies, in catalogue order."""
