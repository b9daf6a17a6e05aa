"""Key rules for GCP: Cloud KMS rotation, user-managed service-account keys.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import Ctx, cis_gcp, dnssi, lower, mcsb, meta, rule, with_props
from policies.security_baseline.gcp.tokens import KMS_KEY, SA_KEY

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

MAX_ROTATION_SECONDS = 90 * 86400


def _seconds(value: str) -> float | None:
    text = value.strip().lower()
    if text.endswith("s"):
        try:
            return float(text[:-1])
        except ValueError:
            return None
    return None


def _rotation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    purpose = lower(p.get("purpose"), "purpose")
    if purpose not in ("", "encrypt_decrypt"):
        return  # Cloud KMS rotates symmetric encryption keys only
    period = lower(p.get("rotationPeriod"), "rotationPeriod")
    if not period:
        yield "the key never rotates (no rotation_period)."
        return
    seconds = _seconds(period)
    if seconds is None or seconds > MAX_ROTATION_SECONDS:
        yield f"the key rotates every {period} (at most 7776000s, 90 days)."


GCP_KMS_ROTATION = rule(
    meta(
        "gcp-kms-key-rotation",
        MEDIUM,
        "Cloud KMS symmetric keys rotate automatically at least every 90 days.",
        'Set `rotation_period="7776000s"` (or shorter).',
        [cis_gcp("1.10"), mcsb("DP-6"), dnssi("Cryptography")],
    ),
    {KMS_KEY: with_props(_rotation)},
)


def _sa_key(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    yield "a user-managed service-account key is a long-lived credential that can leak."


GCP_NO_SA_KEYS = rule(
    meta(
        "gcp-iam-no-service-account-keys",
        HIGH,
        "No user-managed service-account keys: workloads use attached service accounts or Workload Identity "
        "Federation.",
        "Remove the gcp.serviceaccount.Key; attach the service account to the workload, or federate the "
        "external identity (the organization policy iam.disableServiceAccountKeyCreation blocks keys).",
        [cis_gcp("1.4"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {SA_KEY: with_props(_sa_key)},
)


POLICIES: list[Policy] = [GCP_KMS_ROTATION, GCP_NO_SA_KEYS]
"""This domain's policies, in catalogue order."""
