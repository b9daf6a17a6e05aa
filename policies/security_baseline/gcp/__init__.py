"""GCP rules of the security-baseline pack: one module per domain, in catalogue order.

Adding a rule: write it in the module of its domain and append it to that module's
``POLICIES`` (see CONTRIBUTING.md). ``tokens`` holds the type tokens the rules check;
``common`` the helpers several domains share (IAM members, instance metadata, labels).
"""

from pulumi_policy import Policy

from policies.security_baseline.gcp import durability, encryption, exposure, identity, keys, logging, network

DOMAINS = (encryption, exposure, network, logging, keys, identity, durability)
"""The domain modules, in the order the catalogue (POLICIES.md) lists them."""

POLICIES: list[Policy] = [p for domain in DOMAINS for p in domain.POLICIES]
"""Every GCP rule of the pack."""
