"""Encryption rules for OpenStack: Cinder volumes of encrypted (LUKS) types, TLS versions of listeners.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    dnssi,
    items,
    lower,
    meta,
    need,
    openstack_sg,
    rule,
    with_props,
)
from policies.security_baseline.openstack.tokens import LISTENER, VOLUME

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

ENCRYPTED_TYPES_SCHEMA = {
    "encryptedVolumeTypes": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "default": ["luks"],
        "description": "The operator's LUKS-encrypted Cinder volume types (the only ones volumes may use).",
    }
}

MODERN_TLS = frozenset({"TLSv1.2", "TLSv1.3"})


def _volume_type(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    allowed = [str(t) for t in ctx.config.get("encryptedVolumeTypes") or ["luks"]]
    vtype = need(p.get("volumeType"), "volumeType")
    if vtype is None:
        yield (
            "the volume has no volume type, so it gets the cloud's default type, which may not be encrypted "
            f"(encrypted types: {', '.join(allowed)})."
        )
    elif str(vtype) not in allowed:
        yield f"volume type {vtype!r} is not an encrypted (LUKS) type of the allow-list ({', '.join(allowed)})."


OPENSTACK_VOLUME_ENCRYPTED_TYPE = rule(
    meta(
        "openstack-volume-encrypted-type",
        HIGH,
        "Cinder volumes use a volume type on the allow-list of the operator's LUKS-encrypted types.",
        "Set volume_type to an encrypted type (ask the operator for one: `openstack volume type create "
        "--encryption-provider luks ...`) and list it in encryptedVolumeTypes.",
        [openstack_sg("Check-Block-09"), dnssi("Cryptography"), PERSONAL_DATA_SECURITY],
        config=ENCRYPTED_TYPES_SCHEMA,
    ),
    {VOLUME: with_props(_volume_type)},
)
"""https://docs.openstack.org/cinder/latest/configuration/block-storage/volume-encryption.html"""


def _listener_tls(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("protocol"), "protocol") != "terminated_https":
        return
    versions = items(p.get("tlsVersions"), "tlsVersions")
    old = sorted({str(need(v, "tlsVersions[]")) for v in versions} - MODERN_TLS)
    if old:
        yield f"the listener accepts {', '.join(old)}: only TLSv1.2 and TLSv1.3 are allowed."


OPENSTACK_LB_LISTENER_TLS12 = rule(
    meta(
        "openstack-lb-listener-tls12",
        MEDIUM,
        "TLS-terminating Octavia listeners accept TLS 1.2 and 1.3 only (unset: Octavia's default, 1.2 and 1.3).",
        'Set tls_versions to ["TLSv1.2", "TLSv1.3"].',
        [openstack_sg("networking/services: Load balancing"), dnssi("Communications security")],
    ),
    {LISTENER: with_props(_listener_tls)},
)
"""https://docs.openstack.org/octavia/latest/user/guides/basic-cookbook.html"""


POLICIES: list[Policy] = [
    OPENSTACK_VOLUME_ENCRYPTED_TYPE,
    OPENSTACK_LB_LISTENER_TLS12,
]
"""This domain's policies, in catalogue order."""
