"""``kasbah:gcp:Kms``: a key ring in an approved region, keys with rotation, and who may use each key.

- Key rings and keys cannot be deleted (https://cloud.google.com/kms/docs/resource-hierarchy#lifetime):
  a key ring name is used once per project and location, and ``pulumi destroy`` only schedules the key
  versions' destruction (``destroy_scheduled_duration``, 30 days here).
- Keys rotate every ``rotation_days`` (90 by default, CIS Google Cloud 1.10; rotation_period must be at
  least one day, https://cloud.google.com/kms/docs/key-rotation#frequency_of_key_rotation).
- A CMEK key must be in the location of the data it protects (a log bucket in ``europe-west9`` needs a key
  in ``europe-west9``: https://cloud.google.com/logging/docs/routing/managed-encryption-storage#limitations).
- The service agents that encrypt with a key (Cloud Logging, Cloud Storage, ...) are granted
  ``roles/cloudkms.cryptoKeyEncrypterDecrypter`` on that key only; the grant is ordered after what makes
  the agent exist (its ``member`` comes from the agent's resource or data source).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs, layer_tags
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import KMS_ROTATION_SECONDS

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


@dataclass(frozen=True)
class KmsSpec:
    """Key management (``kasbah:kms``)."""

    keys: list[str] = field(default_factory=lambda: ["logging", "storage", "bigquery"])
    """Keys of the platform key ring. ``logging`` encrypts the log buckets. Default: ``[logging, storage, bigquery]``."""
    rotation_days: int = 90
    """Automatic rotation period in days (1-90). Default: ``90``."""
    protection_level: str = "SOFTWARE"
    """``SOFTWARE`` or ``HSM`` (Cloud HSM, billed per key version). Default: ``SOFTWARE``."""


def validate_kms(key: str, spec: KmsSpec) -> None:
    if not 1 <= spec.rotation_days <= KMS_ROTATION_SECONDS // 86400:
        raise ConfigError(
            f"{key}.rotationDays",
            f"{spec.rotation_days} is outside 1-90 days",
            "rotate at least every 90 days",
        )
    if spec.protection_level not in ("SOFTWARE", "HSM"):
        raise ConfigError(
            f"{key}.protectionLevel",
            f"{spec.protection_level!r} is not SOFTWARE or HSM",
            "use SOFTWARE or HSM",
        )
    if "logging" not in spec.keys:
        raise ConfigError(f"{key}.keys", "no 'logging' key", "keep 'logging': it encrypts the log buckets")
    if len(set(spec.keys)) != len(spec.keys):
        raise ConfigError(f"{key}.keys", "a key is listed twice", "list each key once")
    for i, name in enumerate(spec.keys):
        naming.kms_name(f"{key}.keys[{i}]", name)


@dataclass(frozen=True)
class KmsArgs:
    """Inputs of :class:`Kms`."""

    spec: KmsSpec
    """Keys and rotation (the blueprint's ``kasbah:kms``). Required."""
    project_id: pulumi.Input[str]
    """Project of the key ring (the security project). Required."""
    location: str
    """Region of the key ring (an approved region). Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, labels and protection. Default: ``CommonArgs()``."""
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    """The Cloud KMS API enablement of the project. Default: none."""


class Kms(pulumi.ComponentResource):
    """A key ring and its keys."""

    key_ring: gcp.kms.KeyRing
    keys: dict[str, gcp.kms.CryptoKey]

    def __init__(self, name: str, args: KmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:Kms", name, None, opts)
        spec = args.spec
        self.key_ring = gcp.kms.KeyRing(
            f"{name}-ring",
            name=f"{args.common.prefix}-{args.location}",
            project=args.project_id,
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.depends_on, protect=args.common.protect),
        )
        self.keys = {
            key: gcp.kms.CryptoKey(
                f"{name}-{key}",
                name=key,
                key_ring=self.key_ring.id,
                purpose="ENCRYPT_DECRYPT",
                rotation_period=f"{spec.rotation_days * 86400}s",
                destroy_scheduled_duration=f"{30 * 86400}s",
                version_template={
                    "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                    "protection_level": spec.protection_level,
                },
                labels=layer_tags(args.common.tags, {"purpose": key}),
                opts=pulumi.ResourceOptions(parent=self, protect=args.common.protect),
            )
            for key in spec.keys
        }
        self.register_outputs(
            {"keyRingId": self.key_ring.id, "keyIds": {k: v.id for k, v in self.keys.items()}}
        )

    def grant(
        self, name: str, key: str, member: pulumi.Input[str], depends_on: list[pulumi.Resource] | None = None
    ) -> gcp.kms.CryptoKeyIAMMember:
        """Let ``member`` (a service agent) encrypt and decrypt with one key."""
        return gcp.kms.CryptoKeyIAMMember(
            name,
            crypto_key_id=self.keys[key].id,
            role=ENCRYPTER_DECRYPTER,
            member=member,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []),
        )
