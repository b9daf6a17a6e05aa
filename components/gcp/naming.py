"""Pure names and validation for Google Cloud: each function raises one ConfigError naming the key.

Formats come from ``kasbah.facts.GCP_NAME_FORMATS`` (declared once; the deploy-readiness pack checks
programs against the same table), each from Google's page for the resource:

- project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter and not
  ending with a hyphen; globally unique and never reusable after deletion
  (https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin);
- folder display name: 1-30 characters, letters, digits, spaces, hyphens and underscores, starting and
  ending with a letter or digit (https://cloud.google.com/resource-manager/docs/creating-managing-folders);
- network, subnet, router, route, firewall policy names: RFC 1035, 1-63 characters
  (https://cloud.google.com/compute/docs/naming-resources);
- tag key and value short names: 1-63 characters, alphanumeric at both ends, ``-_.`` inside
  (https://cloud.google.com/resource-manager/docs/tags/tags-creating-and-managing);
- log bucket ids: up to 100 characters, letters, digits, ``_-.``
  (https://cloud.google.com/logging/docs/buckets#create_bucket);
- key ring and key names: 1-63 characters, letters, digits, ``_-`` (https://cloud.google.com/kms/docs/create-key-ring);
- service perimeter names: a letter, then letters, digits and underscores, at most 50 characters
  (https://cloud.google.com/vpc-service-controls/docs/create-service-perimeters);
- billing account ids: ``XXXXXX-XXXXXX-XXXXXX``, uppercase hexadecimal
  (https://cloud.google.com/billing/docs/how-to/find-billing-account-id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from components.common import stable_hash
from components.errors import ConfigError
from kasbah.facts import GCP_NAME_FORMATS


def _format(kind: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{GCP_NAME_FORMATS[kind].pattern})$")


PROJECT_ID_RE = _format("project-id")
FOLDER_NAME_RE = _format("folder-display-name")
RFC1035_RE = _format("rfc1035")
SHORT_NAME_RE = _format("tag-short-name")
LOG_BUCKET_RE = _format("log-bucket-id")
KMS_NAME_RE = _format("kms-name")
PERIMETER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
"""The short name of a perimeter (the last segment of ``GCP_NAME_FORMATS["perimeter-name"]``)."""
BILLING_ACCOUNT_RE = re.compile(r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")
ORG_ID_RE = re.compile(r"^[1-9][0-9]{5,19}$")
FOLDER_ID_RE = re.compile(r"^(folders/)?[1-9][0-9]{5,19}$")
REGION_RE = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
CUSTOMER_ID_RE = re.compile(r"^C[0-9A-Za-z]{5,12}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LABEL_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE_RE = re.compile(r"^[a-z0-9_-]{0,63}$")
MEMBER_RE = re.compile(r"^(user|group|serviceAccount|domain|principal|principalSet):\S+$")
PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor"})
"""Basic roles a landing zone never grants (CIS Google Cloud 1.5, https://cloud.google.com/iam/docs/roles-overview#basic)."""


def _check(key: str, value: str, pattern: re.Pattern[str], what: str, fix: str) -> str:
    if not pattern.match(value):
        raise ConfigError(key, f"{value!r} is not a valid {what}", fix)
    return value


def project_id(key: str, prefix: str, role: str, basis: str) -> str:
    """``<prefix>-<role>-<4 hex>``: deterministic, globally unique through a hash of ``basis``
    (the organization and the role), checked against the project id format."""
    value = f"{prefix}-{role}-{stable_hash(f'{basis}/{prefix}/{role}', 4)}"
    if len(value) > 30:
        raise ConfigError(
            key,
            f"project id {value!r} is {len(value)} characters (Google's limit is 30)",
            "use a shorter prefix or project name",
        )
    return validate_project_id(key, value)


def validate_project_id(key: str, value: str) -> str:
    return _check(
        key,
        value,
        PROJECT_ID_RE,
        "project id (6-30 lowercase letters, digits or hyphens, starting with a letter, not ending with '-')",
        "choose an id such as 'acme-prod-data'",
    )


def folder_name(key: str, prefix: str, name: str) -> str:
    return _check(
        key,
        f"{prefix}-{name}",
        FOLDER_NAME_RE,
        "folder display name (1-30 letters, digits, spaces, '-' or '_')",
        "use a shorter prefix or folder name",
    )


def rfc1035(key: str, value: str) -> str:
    return _check(
        key,
        value,
        RFC1035_RE,
        "resource name (RFC 1035: 1-63 lowercase letters, digits, '-')",
        "use a shorter, lowercase name",
    )


def short_name(key: str, value: str) -> str:
    return _check(
        key, value, SHORT_NAME_RE, "tag short name (1-63 characters)", "use letters, digits, '-', '_' or '.'"
    )


def log_bucket_id(key: str, value: str) -> str:
    return _check(key, value, LOG_BUCKET_RE, "log bucket id", "use letters, digits, '_', '-' or '.'")


def kms_name(key: str, value: str) -> str:
    return _check(key, value, KMS_NAME_RE, "key ring or key name", "use 1-63 letters, digits, '_' or '-'")


def perimeter_name(key: str, value: str) -> str:
    return _check(
        key,
        value,
        PERIMETER_RE,
        "service perimeter name (a letter, then letters, digits, '_'; 50 at most)",
        "replace hyphens with underscores",
    )


def validate_billing_account(key: str, value: str) -> str:
    return _check(key, value, BILLING_ACCOUNT_RE, "billing account id", "write it as 012345-6789AB-CDEF01")


def validate_org_id(key: str, value: str) -> str:
    return _check(
        key,
        value,
        ORG_ID_RE,
        "organization id (digits)",
        "run `gcloud organizations list` and use the ID column",
    )


def validate_folder_id(key: str, value: str) -> str:
    _check(key, value, FOLDER_ID_RE, "folder id", "write it as folders/123456789012 or 123456789012")
    return value.removeprefix("folders/")


def validate_region(key: str, value: str, allowed: Sequence[str], allowed_key: str) -> str:
    _check(key, value, REGION_RE, "region", "use a region name such as europe-west9")
    if value not in allowed:
        raise ConfigError(
            f"{key} and {allowed_key}",
            f"{value!r} is not an allowed region ({', '.join(allowed)})",
            f"pick one of {', '.join(allowed)} or add it to {allowed_key} if your organisation is authorised",
        )
    return value


def validate_regions(key: str, values: Sequence[str]) -> list[str]:
    if not values:
        raise ConfigError(key, "no region is allowed", "list at least one approved region (europe-west9)")
    for i, value in enumerate(values):
        _check(f"{key}[{i}]", value, REGION_RE, "region", "use a region name such as europe-west9")
    if len(set(values)) != len(values):
        raise ConfigError(key, "a region is listed twice", "list each region once")
    return list(values)


def validate_customer_id(key: str, value: str) -> str:
    return _check(
        key,
        value,
        CUSTOMER_ID_RE,
        "Cloud Identity customer id",
        "run `gcloud organizations list` (DIRECTORY_CUSTOMER_ID, e.g. C01abc2de)",
    )


def validate_domain(key: str, value: str) -> str:
    return _check(key, value, DOMAIN_RE, "domain", "write it as example.ma")


def validate_email(key: str, value: str) -> str:
    return _check(key, value, EMAIL_RE, "email address", "write it as team@example.ma")


def validate_member(key: str, value: str) -> str:
    return _check(
        key, value, MEMBER_RE, "IAM member", "write it as group:team@example.ma or serviceAccount:..."
    )


def validate_role(key: str, value: str) -> str:
    if value in PRIMITIVE_ROLES:
        raise ConfigError(
            key, f"{value} is a basic role", "grant a predefined role (roles/<service>.<role>) instead"
        )
    if not value.startswith(("roles/", "organizations/", "projects/")):
        raise ConfigError(key, f"{value!r} is not a role name", "write it as roles/compute.networkUser")
    return value


def validate_labels(key: str, labels: dict[str, str]) -> dict[str, str]:
    """Labels: keys 1-63 lowercase starting with a letter, values 0-63 lowercase, at most 64
    (https://cloud.google.com/resource-manager/docs/labels-overview#requirements)."""
    if len(labels) > 64:
        raise ConfigError(key, f"{len(labels)} labels (the limit is 64)", "drop some labels")
    for k, v in labels.items():
        _check(f"{key}.{k}", k, LABEL_KEY_RE, "label key", "use lowercase letters, digits, '_' or '-'")
        _check(f"{key}.{k}", v, LABEL_VALUE_RE, "label value", "use lowercase letters, digits, '_' or '-'")
    return labels
