"""Encryption rules for GCP: customer-managed keys for personal data, TLS to Cloud SQL.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
Google encrypts everything at rest with Google-managed keys; personal data uses a Cloud KMS key the
organisation controls (CMEK: https://cloud.google.com/kms/docs/cmek), so that revoking the key revokes
the data (Law 09-08 art. 23, MCSB DP-5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    PERSONAL_DATA_SECURITY,
    Ctx,
    cis_gcp,
    dnssi,
    get,
    lower,
    mcsb,
    meta,
    present,
    rule,
    with_props,
)
from policies.security_baseline.gcp.common import PROTECTED, label_class
from policies.security_baseline.gcp.tokens import BUCKET, DATASET, DISK, SQL, TOPIC

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

_CMEK_PATHS: dict[str, tuple[str, ...]] = {
    BUCKET: ("encryption", "defaultKmsKeyName"),
    DATASET: ("defaultEncryptionConfiguration", "kmsKeyName"),
    DISK: ("diskEncryptionKey", "kmsKeySelfLink"),
    TOPIC: ("kmsKeyName",),
}


def _cmek(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    cls = label_class(p)
    if cls not in PROTECTED:
        return
    path = _CMEK_PATHS[ctx.type]
    if not present(get(p, *path)):
        yield f"it holds {cls} data but has no customer-managed key ({'.'.join(path)})."


GCP_PERSONAL_DATA_CMEK = rule(
    meta(
        "gcp-personal-data-cmek",
        HIGH,
        "Cloud Storage buckets, BigQuery datasets, persistent disks and Pub/Sub topics labelled personal or "
        "sensitive are encrypted with a customer-managed Cloud KMS key.",
        "Set the store's key (`encryption.default_kms_key_name`, `default_encryption_configuration.kms_key_name`, "
        "`disk_encryption_key.kms_key_self_link`, `kms_key_name`) to a key of the platform key ring, after "
        "granting the service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it.",
        [mcsb("DP-5"), cis_gcp("7.3"), PERSONAL_DATA_SECURITY, dnssi("Cryptography")],
    ),
    {t: with_props(_cmek) for t in _CMEK_PATHS},
)


def _sql_ssl(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    mode = lower(get(p, "settings", "ipConfiguration", "sslMode"), "settings.ipConfiguration.sslMode")
    if mode not in ("encrypted_only", "trusted_client_certificate_required"):
        yield f"connections without TLS are accepted (sslMode {mode or 'not set: ALLOW_UNENCRYPTED_AND_ENCRYPTED'})."


GCP_SQL_REQUIRE_SSL = rule(
    meta(
        "gcp-sql-require-ssl",
        HIGH,
        "Cloud SQL instances accept only encrypted connections.",
        "Set `settings.ip_configuration.ssl_mode` to ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED.",
        [cis_gcp("6.4"), mcsb("DP-3"), dnssi("Communications security")],
    ),
    {SQL: with_props(_sql_ssl)},
)


POLICIES: list[Policy] = [GCP_PERSONAL_DATA_CMEK, GCP_SQL_REQUIRE_SSL]
"""This domain's policies, in catalogue order."""
