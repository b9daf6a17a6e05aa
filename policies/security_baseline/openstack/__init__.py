"""OpenStack rules of the security-baseline pack (tenant side): one module per domain, in catalogue order.

References: the OpenStack Security Guide (``openstack_sg``), the DNSSI, Law 09-08 art. 23.
"""

from pulumi_policy import Policy

from policies.security_baseline.openstack import (
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
"""Every OpenStack rule of the pack."""
