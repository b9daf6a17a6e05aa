"""Key rules for OpenStack: TLS certificates from Barbican, strong generated keys.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    dnssi,
    get,
    is_unknown,
    lower,
    meta,
    need,
    number,
    openstack_sg,
    rule,
    with_props,
)
from policies.security_baseline.openstack.tokens import KEY_ORDER, LISTENER

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

_BARBICAN_REF = re.compile(r"^https://[^/\s]+(/[^\s]*)?/v1/(secrets|containers)/[0-9a-fA-F-]{36}$")


def _certificate(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("protocol"), "protocol") != "terminated_https":
        return
    ref = p.get("defaultTlsContainerRef")
    if is_unknown(ref):
        return  # the reference of a Barbican secret created in the same program
    need(ref, "defaultTlsContainerRef")
    if not ref:
        yield "the TLS-terminating listener has no default_tls_container_ref."
    elif not _BARBICAN_REF.match(str(ref)):
        yield f"default_tls_container_ref {ref!r} is not a Barbican secret or container reference (https)."


OPENSTACK_LB_CERTIFICATE_IN_BARBICAN = rule(
    meta(
        "openstack-lb-certificate-in-barbican",
        HIGH,
        "TLS-terminating listeners take their certificate from Barbican (a secret or container reference).",
        "Store the certificate (PKCS12) in Barbican, grant the Octavia service user read access (ACL), and "
        "set default_tls_container_ref to its https://.../v1/secrets/<uuid> reference.",
        [openstack_sg("secrets-management/barbican: Barbican"), dnssi("Cryptography")],
    ),
    {LISTENER: with_props(_certificate)},
)
"""https://docs.openstack.org/octavia/latest/user/guides/basic-cookbook.html (TLS-terminated HTTPS)"""

MIN_BITS = {"aes": 256, "rsa": 3072}


def _strength(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    algorithm = lower(get(p, "meta", "algorithm"), "meta.algorithm")
    bits = number(get(p, "meta", "bitLength"), "meta.bitLength")
    wanted = MIN_BITS.get(algorithm)
    if wanted is None:
        if algorithm in ("des", "3des", "dsa"):
            yield f"algorithm {algorithm} is obsolete: use aes (symmetric) or rsa (asymmetric)."
        return
    if bits is None or bits < wanted:
        yield f"a {algorithm} key of {bits if bits is not None else 'unspecified'} bits: use at least {wanted}."


OPENSTACK_KEY_ORDER_STRENGTH = rule(
    meta(
        "openstack-key-order-strength",
        MEDIUM,
        "Keys Barbican generates are AES-256 or RSA-3072 and stronger.",
        "Set meta.algorithm to aes with bit_length 256 (or rsa with 3072 or more).",
        [openstack_sg("secrets-management/barbican: Barbican"), dnssi("Cryptography")],
    ),
    {KEY_ORDER: with_props(_strength)},
)


POLICIES: list[Policy] = [
    OPENSTACK_LB_CERTIFICATE_IN_BARBICAN,
    OPENSTACK_KEY_ORDER_STRENGTH,
]
"""This domain's policies, in catalogue order."""
