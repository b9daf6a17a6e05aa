"""Data the GCP landing zone is built from: regions, address ranges Google uses, APIs, log filters.

Kept as data so that a reviewer reads it in one place. Each value cites the page it comes from.
The approved regions come from :mod:`kasbah.facts` (no GCP region in Morocco: Paris and Madrid).
"""

from __future__ import annotations

import json
from enum import StrEnum
from importlib.resources import files
from typing import Any, Final

from kasbah.facts import Cloud, approved_locations

APPROVED_REGIONS: Final[tuple[str, ...]] = approved_locations(Cloud.GCP)
"""``europe-west9`` (Paris) and ``europe-southwest1`` (Madrid) (``kasbah.facts.APPROVED_LOCATIONS``)."""

DEFAULT_REGION: Final[str] = APPROVED_REGIONS[0]
"""The landing zone's home region (Paris)."""

IAP_TCP_RANGE: Final[str] = "35.235.240.0/20"
"""Source of IAP TCP forwarding (https://cloud.google.com/iap/docs/using-tcp-forwarding#create-firewall-rule)."""

HEALTH_CHECK_RANGES: Final[tuple[str, ...]] = ("35.191.0.0/16", "130.211.0.0/22")
"""Sources of Google Cloud load-balancer health checks
(https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges)."""

PRIVATE_GOOGLE_APIS: Final[str] = "199.36.153.8/30"
"""``private.googleapis.com`` (https://cloud.google.com/vpc/docs/configure-private-google-access#domain-options)."""

RESTRICTED_GOOGLE_APIS: Final[str] = "199.36.153.4/30"
"""``restricted.googleapis.com``: the VIP of services VPC Service Controls supports (same page)."""

DEFAULT_INTERNET_GATEWAY: Final[str] = "default-internet-gateway"
"""The next hop of routes to the internet and to the Google API VIPs (https://cloud.google.com/vpc/docs/routes)."""

EGRESS_TAG: Final[str] = "egress-internet"
"""Network tag of the instances the default route serves (terraform-example-foundation's tag)."""

KMS_ROTATION_SECONDS: Final[int] = 90 * 24 * 3600
"""Default key rotation: 90 days (CIS Google Cloud 1.10; https://cloud.google.com/kms/docs/key-rotation)."""


class CoreProject(StrEnum):
    """The landing zone's own projects (the FAST stage 0/2 core projects)."""

    IAC = "iac"
    """Automation: the quota project of organization-level APIs (budgets, Access Context Manager)."""
    LOG = "log"
    """Log buckets of the organization sinks."""
    SECURITY = "sec"
    """Key rings and keys."""
    HUB = "net-hub"
    """The hub VPC (Shared VPC host)."""


CORE_APIS: Final[dict[CoreProject, tuple[str, ...]]] = {
    CoreProject.IAC: (
        "accesscontextmanager.googleapis.com",
        "billingbudgets.googleapis.com",
        "cloudbilling.googleapis.com",
        "cloudresourcemanager.googleapis.com",
        "essentialcontacts.googleapis.com",
        "iam.googleapis.com",
        "logging.googleapis.com",
        "orgpolicy.googleapis.com",
        "serviceusage.googleapis.com",
    ),
    CoreProject.LOG: ("logging.googleapis.com", "storage.googleapis.com"),
    CoreProject.SECURITY: ("cloudkms.googleapis.com", "secretmanager.googleapis.com"),
    CoreProject.HUB: ("compute.googleapis.com", "dns.googleapis.com", "networkmanagement.googleapis.com"),
}
"""APIs each core project enables (FAST: fast/stages/0-org-setup/datasets/classic/projects/core/*.yaml)."""

HOST_APIS: Final[tuple[str, ...]] = ("compute.googleapis.com", "dns.googleapis.com")
"""APIs of an environment's Shared VPC host project."""

SERVICE_PROJECT_APIS: Final[tuple[str, ...]] = ("compute.googleapis.com",)
"""APIs every service project enables (Compute Engine: Shared VPC attachment needs it)."""


class LogSink(StrEnum):
    """The organization sinks (FAST's ``logging.sinks``), each to its own log bucket."""

    AUDIT = "audit-logs"
    IAM = "iam"
    VPC_SC = "vpc-sc"


LOG_FILTERS: Final[dict[LogSink, str]] = {
    LogSink.AUDIT: (
        'log_id("cloudaudit.googleapis.com/activity") OR log_id("cloudaudit.googleapis.com/system_event") OR '
        'log_id("cloudaudit.googleapis.com/policy") OR log_id("cloudaudit.googleapis.com/access_transparency")'
    ),
    LogSink.IAM: (
        'protoPayload.serviceName="iamcredentials.googleapis.com" OR '
        'protoPayload.serviceName="iam.googleapis.com" OR protoPayload.serviceName="sts.googleapis.com"'
    ),
    LogSink.VPC_SC: (
        'protoPayload.metadata.@type="type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata"'
    ),
}
"""Sink filters (FAST: fast/stages/0-org-setup/datasets/classic/organization/.config.yaml; the Logging
query language, https://cloud.google.com/logging/docs/view/logging-query-language)."""

CONTACT_CATEGORIES: Final[tuple[str, ...]] = (
    "BILLING",
    "LEGAL",
    "PRODUCT_UPDATES",
    "SECURITY",
    "SUSPENSION",
    "TECHNICAL",
)
"""Essential Contacts notification categories
(https://cloud.google.com/resource-manager/docs/manage-essential-contacts#notification-categories)."""

VPC_SC_RESTRICTED_SERVICES: Final[tuple[str, ...]] = (
    "bigquery.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
)
"""Services the dry-run perimeter restricts by default (all supported by VPC Service Controls:
https://cloud.google.com/vpc-service-controls/docs/supported-products)."""


def org_policy_library() -> dict[str, Any]:
    """``org_policies.json``: the organization policies in the Org Policy API v2 format."""
    data: dict[str, Any] = json.loads(
        files("components.gcp").joinpath("org_policies.json").read_text(encoding="utf-8")
    )
    return data
