"""Entry point of the deploy-readiness pack (``pulumi preview --policy-pack policies/deploy_readiness``).

The CLI runs this file with the pack directory first on ``sys.path`` (``python -m pulumi.policy``);
the rules, their data files and :mod:`policies.framework` come from the ``kasbah`` distribution that
``requirements.txt`` pins, so the pack needs no repository beside it.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.deploy_readiness.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Kasbah deploy readiness for AWS and Azure: ordering, cloud-created resources, principals, "
    "date windows and ordered pairs that an offline preview can see before the first pulumi up.",
)
