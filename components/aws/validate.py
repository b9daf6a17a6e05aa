"""Pure checks and naming of the AWS landing zone's inputs (no Pulumi)."""

from __future__ import annotations

from collections.abc import Sequence

from components.aws.aws_data import (
    ACCOUNT_ID_RE,
    AWS_COMMERCIAL_REGIONS,
    EMAIL_RE,
    ROLE_NAME_RE,
    ROOT_ID_RE,
)
from components.common import stable_hash
from components.errors import ConfigError


def validate_account_id(key: str, value: str) -> str:
    if not ACCOUNT_ID_RE.match(value):
        raise ConfigError(
            key, f"{value!r} is not a 12-digit AWS account id", "write the 12 digits, e.g. 123456789012"
        )
    return value


def validate_email(key: str, value: str) -> str:
    if len(value) > 64 or not EMAIL_RE.match(value):
        raise ConfigError(
            key,
            f"{value!r} is not a valid account email (at most 64 characters)",
            "use an address like aws+log@acme.ma",
        )
    return value


def validate_root_id(key: str, value: str) -> str:
    if not ROOT_ID_RE.match(value):
        raise ConfigError(
            key, f"{value!r} is not an organization root id", "copy it from `aws organizations list-roots`"
        )
    return value


def validate_role_name(key: str, value: str) -> str:
    if not ROLE_NAME_RE.match(value):
        raise ConfigError(key, f"{value!r} is not an IAM role name", "use 1-64 letters, digits or +=,.@_-")
    return value


def validate_regions(
    home_key: str, home_region: str, approved_key: str, approved_regions: Sequence[str]
) -> tuple[str, list[str]]:
    """Check the approved regions are real and distinct, and that the home region is one of them."""
    if not approved_regions:
        raise ConfigError(approved_key, "no approved region", "list at least the home region")
    for i, region in enumerate(approved_regions):
        if region not in AWS_COMMERCIAL_REGIONS:
            raise ConfigError(
                f"{approved_key}[{i}]", f"{region!r} is not an AWS region", "use a name like eu-west-3"
            )
    if len(set(approved_regions)) != len(approved_regions):
        raise ConfigError(approved_key, "a region is listed twice", "list each region once")
    if home_region not in approved_regions:
        raise ConfigError(
            f"{home_key} and {approved_key}",
            f"home region {home_region!r} is not among the approved regions {list(approved_regions)}",
            "pick an approved home region or approve it",
        )
    return home_region, list(approved_regions)


def bucket_name(prefix: str, purpose: str, account_id: str) -> str:
    """A globally unique, deterministic S3 bucket name: ``<prefix>-<purpose>-<hash(account id)>``."""
    name = f"{prefix}-{purpose}-{stable_hash(account_id, 10)}"
    if not 3 <= len(name) <= 63:
        raise ConfigError(
            "bucket name", f"{name!r} is not 3-63 characters", "use a shorter prefix or purpose"
        )
    return name


def subkey(key: str, name: str) -> str:
    """``key`` + ``.name`` (``kasbah:`` + ``name`` when ``key`` is a namespace such as ``kasbah:``)."""
    return f"{key}{name}" if key.endswith(":") else f"{key}.{name}"
