"""Entry point of the deploy-readiness pack (``pulumi preview --policy-pack policies/deploy_readiness``)."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import policies.deploy_readiness.rules  # noqa: F401
except ImportError:
    # The real CLI runs this file from the pack's directory: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.deploy_readiness.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Kasbah deploy readiness for AWS and Azure: ordering, cloud-created resources, principals, "
    "date windows and ordered pairs that an offline preview can see before the first pulumi up.",
)
