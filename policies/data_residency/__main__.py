"""Entry point of the ``data-residency`` pack (``pulumi preview --policy-pack policies/data_residency``).

The CLI runs this file with the pack directory first on ``sys.path`` (``python -m pulumi.policy``);
the rules and :mod:`policies.framework` come from the ``kasbah`` distribution that
``requirements.txt`` pins, so the pack needs no repository beside it.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.data_residency.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=POLICIES,
    description="Moroccan data residency: classification, location and replication of AWS and Azure data stores.",
)
