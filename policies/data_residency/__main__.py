"""Entry point of the ``data-residency`` pack under the real CLI: builds the PolicyPack (never returns)."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import policies  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.data_residency.rules import PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=POLICIES,
    description="Moroccan data residency: classification, location and replication of AWS and Azure data stores.",
)
