"""Entry point of the security-baseline pack (``pulumi preview --policy-pack policies/security_baseline``)."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import policies.security_baseline.rules  # noqa: F401
except ImportError:
    # The real CLI runs this file from the pack's directory: make the repository importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.security_baseline.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.ADVISORY,
    description="Kasbah security baseline for AWS and Azure: encryption, exposure, logging, keys, identity, "
    "durability (CIS, Microsoft cloud security benchmark, DNSSI, Law 09-08).",
)
