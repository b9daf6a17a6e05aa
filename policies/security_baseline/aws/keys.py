"""Key management rules for AWS: rotation, deletion protection and access model of keys and vaults.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_aws, dnssi, is_true, lower, mcsb, meta, rule, with_props
from policies.security_baseline.aws.tokens import KMS_KEY

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _kms_rotation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    spec = lower(p.get("customerMasterKeySpec") or p.get("keySpec") or "SYMMETRIC_DEFAULT", "keySpec")
    usage = lower(p.get("keyUsage") or "ENCRYPT_DECRYPT", "keyUsage")
    if spec != "symmetric_default" or usage != "encrypt_decrypt":
        return  # only symmetric encryption keys support automatic rotation
    if not is_true(p.get("enableKeyRotation"), "enableKeyRotation"):
        yield "automatic key rotation is off."


AWS_KMS_ROTATION = rule(
    meta(
        "aws-kms-key-rotation",
        MEDIUM,
        "Symmetric customer-managed KMS keys rotate automatically.",
        "Set `enable_key_rotation=True` (optionally `rotation_period_in_days`).",
        [cis_aws("3.6"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KMS_KEY: with_props(_kms_rotation)},
)


POLICIES: list[Policy] = [
    AWS_KMS_ROTATION,
]
"""This domain's policies, in catalogue order."""
