"""vSphere rules of the security-baseline pack: one module per domain, in catalogue order.

References: the vSphere Security Configuration Guide 8 (``vsphere_scg``), the DNSSI, Law 05-20.
"""

from pulumi_policy import Policy

from policies.security_baseline.vsphere import (
    durability,
    encryption,
    exposure,
    identity,
    keys,
    logging,
    network,
)

DOMAINS = (encryption, exposure, network, logging, keys, identity, durability)
"""The domain modules, in the order the catalogue (POLICIES.md) lists them."""

POLICIES: list[Policy] = [p for domain in DOMAINS for p in domain.POLICIES]
"""Every vSphere rule of the pack."""
