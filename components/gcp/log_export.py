"""``kasbah:gcp:LogExport``: aggregated sinks of the root to CMEK log buckets in an approved region.

- Sinks: ``audit-logs``, ``iam`` and ``vpc-sc`` (FAST stage 0), on the organization or the adopted
  folder with ``include_children`` (aggregated sinks,
  https://cloud.google.com/logging/docs/export/aggregated_sinks), each to its own log bucket in the
  logging project. A sink writes with its ``writer_identity``, which is granted
  ``roles/logging.bucketWriter`` on the logging project
  (https://cloud.google.com/logging/docs/export/configure_export_v2#dest-auth).
- Buckets: in the landing zone's region, with the retention configured (1-3650 days) and, when asked,
  a locked retention (irreversible), encrypted with the ``logging`` key. CMEK for log buckets: the
  project's Cloud Logging service account (``kmsServiceAccountId`` of the project's logging settings)
  gets ``roles/cloudkms.cryptoKeyEncrypterDecrypter`` on a key in the bucket's location *before* the
  bucket is created with it (https://cloud.google.com/logging/docs/routing/managed-encryption-storage).
  That account is read with ``gcp.logging.get_project_settings_output`` ordered after the Logging API
  of the project (an output invoke with ``depends_on``: unknown in a preview of a new project, read
  for real by ``pulumi up`` once the API is on).
- Default settings: ``storage_location`` of the organization's (or folder's) logging settings, so that
  the ``_Default`` and ``_Required`` buckets of new projects are created in the region
  (https://cloud.google.com/logging/docs/default-settings).
- Audit logs: an ``allServices`` audit config with Admin Read, Data Read and Data Write on the root,
  no exempted members (CIS Google Cloud 2.1, https://cloud.google.com/logging/docs/audit/configure-data-access).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs, DataClassification
from components.errors import ConfigError
from components.gcp.gcp_data import LOG_FILTERS, LogSink
from components.gcp.kms import Kms
from components.gcp.project import Project

LOGGING_API = "logging.googleapis.com"


@dataclass(frozen=True)
class LoggingSpec:
    """Centralized logging (``kasbah:logging``)."""

    retention_days: int = 365
    """Retention of the log buckets (1-3650 days). Default: ``365``."""
    locked: bool = False
    """Lock the retention (irreversible: the buckets cannot be deleted before it ends). Default: ``false``."""
    data_access_logs: bool = True
    """Turn on Data Read and Data Write audit logs for all services on the root (billed). Default: ``true``."""
    classification: DataClassification = DataClassification.INTERNAL
    """Classification of the platform logs (the logging project's ``data-classification`` label). Default: ``internal``."""


def validate_logging(key: str, spec: LoggingSpec) -> None:
    if not 1 <= spec.retention_days <= 3650:
        raise ConfigError(
            f"{key}.retentionDays", f"{spec.retention_days} is outside 1-3650 days", "keep logs 1-3650 days"
        )
    if spec.classification is DataClassification.SENSITIVE:
        raise ConfigError(
            f"{key}.classification",
            "sensitive data may not be stored on Google Cloud (decree 2-24-921)",
            "classify the platform logs internal or personal",
        )


def audit_log_types(spec: LoggingSpec) -> list[str]:
    return ["ADMIN_READ", "DATA_READ", "DATA_WRITE"] if spec.data_access_logs else ["ADMIN_READ"]


@dataclass(frozen=True)
class LogExportArgs:
    """Inputs of :class:`LogExport`."""

    spec: LoggingSpec
    """Retention, locking, data access logs (the blueprint's ``kasbah:logging``). Required."""
    organization_id: str
    """Numeric organization id. Required."""
    root: str
    """``organizations/<id>`` or ``folders/<id>``: where the sinks, settings and audit config go. Required."""
    project: Project
    """The logging project (with the Logging API). Required."""
    location: str
    """Region of the log buckets. Required."""
    kms: Kms
    """Key ring holding the ``logging`` key, in ``location``. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix and protection. Default: ``CommonArgs()``."""


class LogExport(pulumi.ComponentResource):
    """Sinks, CMEK log buckets, default storage location and audit configuration."""

    buckets: dict[LogSink, gcp.logging.ProjectBucketConfig]
    sinks: dict[LogSink, pulumi.CustomResource]

    def __init__(self, name: str, args: LogExportArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:LogExport", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec, project, folder = args.spec, args.project, args.root.startswith("folders/")
        logging_api = project.api(LOGGING_API)
        settings = gcp.logging.get_project_settings_output(
            project=project.project_id, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=logging_api)
        )
        grant = args.kms.grant(
            f"{name}-cmek",
            "logging",
            settings.kms_service_account_id.apply(lambda sa: f"serviceAccount:{sa}"),
            depends_on=logging_api,
        )
        self.buckets = {}
        self.sinks = {}
        for sink in LogSink:
            bucket = gcp.logging.ProjectBucketConfig(
                f"{name}-{sink.value}",
                project=project.project_id,
                location=args.location,
                bucket_id=sink.value,
                description=f"Organization sink {sink.value} (Kasbah landing zone).",
                retention_days=spec.retention_days,
                locked=spec.locked,
                cmek_settings={"kms_key_name": args.kms.keys["logging"].id},
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[grant, *logging_api], protect=args.common.protect
                ),
            )
            destination = pulumi.Output.concat(
                "logging.googleapis.com/projects/",
                project.project_id,
                "/locations/",
                args.location,
                "/buckets/",
                bucket.bucket_id,
            )
            sink_name = f"{args.common.prefix}-{sink.value}"
            exported: gcp.logging.FolderSink | gcp.logging.OrganizationSink
            if folder:
                exported = gcp.logging.FolderSink(
                    f"{name}-sink-{sink.value}",
                    name=sink_name,
                    folder=args.root.removeprefix("folders/"),
                    destination=destination,
                    filter=LOG_FILTERS[sink],
                    include_children=True,
                    opts=child,
                )
            else:
                exported = gcp.logging.OrganizationSink(
                    f"{name}-sink-{sink.value}",
                    name=sink_name,
                    org_id=args.organization_id,
                    destination=destination,
                    filter=LOG_FILTERS[sink],
                    include_children=True,
                    opts=child,
                )
            gcp.projects.IAMMember(
                f"{name}-writer-{sink.value}",
                project=project.project_id,
                role="roles/logging.bucketWriter",
                member=exported.writer_identity,
                opts=child,
            )
            self.buckets[sink] = bucket
            self.sinks[sink] = exported
        audit = [{"log_type": t} for t in audit_log_types(spec)]
        if folder:
            gcp.logging.FolderSettings(
                f"{name}-settings",
                folder=args.root.removeprefix("folders/"),
                storage_location=args.location,
                opts=child,
            )
            gcp.folder.IamAuditConfig(
                f"{name}-audit", folder=args.root, service="allServices", audit_log_configs=audit, opts=child
            )
        else:
            gcp.logging.OrganizationSettings(
                f"{name}-settings",
                organization=args.organization_id,
                storage_location=args.location,
                opts=child,
            )
            gcp.organizations.IamAuditConfig(
                f"{name}-audit",
                org_id=args.organization_id,
                service="allServices",
                audit_log_configs=audit,
                opts=child,
            )
        self.register_outputs({"bucketIds": {s.value: b.id for s, b in self.buckets.items()}})
