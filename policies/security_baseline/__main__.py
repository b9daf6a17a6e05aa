"""Entry point of the security-baseline pack (``pulumi preview --policy-pack policies/security_baseline``).

The CLI runs this file with the pack directory first on ``sys.path`` (``python -m pulumi.policy``);
the rules and :mod:`policies.framework` come from the ``kasbah`` distribution that
``requirements.txt`` pins, so the pack needs no repository beside it.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.security_baseline.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Kasbah security baseline for AWS and Azure: encryption, exposure, logging, keys, identity, "
    "durability (CIS, Microsoft cloud security benchmark, DNSSI, Law 09-08).",
)
