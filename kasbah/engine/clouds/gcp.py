"""Google Cloud in the engine registry: the provider's label handling, planned outputs, canned invokes.

- Labels. pulumi-gcp (8.x and later) keeps three label maps on every resource that has labels:
  ``labels`` (what the program set), ``pulumiLabels`` (those plus the provider's ``defaultLabels``)
  and ``effectiveLabels`` (everything on the resource in Google Cloud; at creation, the same).
  Both computed maps also carry ``goog-pulumi-provisioned: "true"`` unless the provider sets
  ``addPulumiAttributionLabel: false``. A resource label overrides a default label of the same
  key. Sources: the pulumi-gcp 8.0 release notes ("a new default label, goog-pulumi-provisioned
  ... written to the pulumiLabels and effectiveLabels output fields") and the provider's own
  label tests (``examples/examples_go_test.go``: ``expectedLabelValue``), and
  https://www.pulumi.com/registry/packages/gcp/installation-configuration/ (``defaultLabels``,
  ``addPulumiAttributionLabel``).
- Planned outputs. ``project``, ``region`` and ``zone`` default to the provider's when the
  program does not set them (the provider fills them at plan time, so a preview knows them).
- The location label of graphs and reports: ``GCP project <id> · <region>``.
- Canned invokes, consistent with the stack configuration: the organization of
  ``kasbah:organizationId`` (domain ``example.com``, customer id ``C0ffl1ne0``), any folder asked for
  (under that organization), projects by id with a stable project number.

The project a provider targets comes from its ``project`` input, else ``gcp:project``, else the
``GOOGLE_PROJECT`` family of environment variables the provider reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from kasbah import facts
from kasbah.engine.clouds.base import (
    Answer,
    Cloud,
    InvokeContext,
    InvokeFailure,
    json_or_value,
    sdk_class_has,
)
from kasbah.engine.model import PROVIDER_PREFIX, UNKNOWN_SENTINEL

DEFAULT_ORGANIZATION_ID = "123456789012"
DEFAULT_DOMAIN = "example.com"
DEFAULT_CUSTOMER_ID = "C0ffl1ne0"
DEFAULT_BILLING_ACCOUNT = "000000-000000-000000"
ATTRIBUTION_LABEL = "goog-pulumi-provisioned"
"""The label pulumi-gcp 8+ adds to ``pulumiLabels`` and ``effectiveLabels`` (``addPulumiAttributionLabel``)."""

PROJECT_ENV_VARS = ("GOOGLE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")
REGION_ENV_VARS = ("GOOGLE_REGION", "GCLOUD_REGION", "CLOUDSDK_COMPUTE_REGION")
ZONE_ENV_VARS = ("GOOGLE_ZONE", "GCLOUD_ZONE", "CLOUDSDK_COMPUTE_ZONE")
"""What pulumi-gcp reads when ``gcp:project``/``gcp:region``/``gcp:zone`` are unset (``config/vars.py``)."""


# --------------------------------------------------------------------------------------------------
# Labels (the part of Check policies observe)


def has_labels(type_: str) -> bool:
    """Whether a pulumi-gcp resource type has ``effectiveLabels`` (so the provider computes it)."""
    return sdk_class_has("pulumi_gcp", type_, "effective_labels")


def default_labels(provider_inputs: Mapping[str, Any]) -> dict[str, Any] | str | None:
    """``defaultLabels`` of a gcp provider's inputs (JSON string or object); UNKNOWN when unknown."""
    raw = provider_inputs.get("defaultLabels")
    if raw is None:
        return None
    if raw == UNKNOWN_SENTINEL:
        return UNKNOWN_SENTINEL
    value = json_or_value(raw)
    return dict(value) if isinstance(value, dict) else None


def attribution(provider_inputs: Mapping[str, Any]) -> bool:
    """Whether the provider adds ``goog-pulumi-provisioned`` (default true)."""
    value = provider_inputs.get("addPulumiAttributionLabel")
    return str(value).lower() != "false" if value is not None else True


def effective_labels(
    labels: Mapping[str, Any] | None, defaults: Mapping[str, Any] | None, add_attribution: bool
) -> dict[str, Any]:
    """The labels a new resource gets: defaults, then its own labels (an empty own value does not
    fall back to the default), then the attribution label."""
    merged: dict[str, Any] = dict(defaults or {})
    merged.update(labels or {})
    if add_attribution:
        merged[ATTRIBUTION_LABEL] = "true"
    return merged


def emulate_check(type_: str, wire: dict[str, Any], provider_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``pulumiLabels`` and ``effectiveLabels`` from the provider's ``defaultLabels`` and the labels."""
    if type_.startswith(PROVIDER_PREFIX) or not has_labels(type_):
        return wire
    defaults = default_labels(provider_inputs)
    labels = wire.get("labels")
    out = dict(wire)
    if defaults == UNKNOWN_SENTINEL or labels == UNKNOWN_SENTINEL:
        out["pulumiLabels"] = out["effectiveLabels"] = UNKNOWN_SENTINEL
        return out
    merged = effective_labels(
        labels if isinstance(labels, dict) else None,
        defaults if isinstance(defaults, dict) else None,
        attribution(provider_inputs),
    )
    out["pulumiLabels"] = merged
    out["effectiveLabels"] = dict(merged)
    return out


def emulate_outputs(
    type_: str, outputs: dict[str, Any], provider_inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """``project``, ``region`` and ``zone`` default to the provider's at plan time."""
    out = outputs
    for key in ("project", "region", "zone"):
        if out.get(key) == UNKNOWN_SENTINEL and provider_inputs.get(key):
            out = {**out, key: provider_inputs[key]}
    return out


def account_of(provider_inputs: Mapping[str, Any]) -> str | None:
    """The project a gcp provider targets (None: the stack's own)."""
    project = provider_inputs.get("project")
    return str(project) if isinstance(project, str) and project and project != UNKNOWN_SENTINEL else None


def resource_project(inputs: Mapping[str, Any]) -> str | None:
    """The project a resource names in its ``project`` input (most gcp resources take one)."""
    project = inputs.get("project")
    return project if isinstance(project, str) and project and project != UNKNOWN_SENTINEL else None


# --------------------------------------------------------------------------------------------------
# Canned invokes

INVOKES: dict[str, Answer] = {}


def _register(token: str) -> Callable[[Answer], Answer]:
    def deco(fn: Answer) -> Answer:
        INVOKES[token] = fn
        return fn

    return deco


def _env(ctx: InvokeContext, names: tuple[str, ...]) -> str | None:
    return next((ctx.environment[n] for n in names if ctx.environment.get(n)), None)


def provider_project(ctx: InvokeContext) -> str | None:
    found = ctx.provider_inputs.get("project") or _env(ctx, PROJECT_ENV_VARS)
    return str(found) if found else None


def organization_id(ctx: InvokeContext) -> str:
    return str(ctx.config.get("kasbah:organizationId") or DEFAULT_ORGANIZATION_ID)


def project_number(project_id: str) -> str:
    """A stable 12-digit project number for a project id (Google assigns the real one)."""
    return str(int(hashlib.sha256(project_id.encode()).hexdigest()[:12], 16) % 10**12).rjust(12, "1")


def _bare(value: Any, prefix: str) -> str:
    return str(value).removeprefix(prefix)


@_register("gcp:organizations/getOrganization:getOrganization")
def _gcp_org(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The organization of ``kasbah:organizationId`` and ``kasbah:domain``; another id or domain is refused."""
    org = organization_id(ctx)
    domain = DEFAULT_DOMAIN
    asked = args.get("organization")
    if asked is not None and _bare(asked, "organizations/") != org:
        raise InvokeFailure(f"organization {asked!r} not found or not accessible (the stack's is {org})")
    if args.get("domain") is not None and str(args["domain"]) != domain:
        raise InvokeFailure(f"no organization with domain {args['domain']!r} (the stack's is {domain})")
    return {
        "id": f"organizations/{org}",
        "orgId": org,
        "name": f"organizations/{org}",
        "domain": domain,
        "directoryCustomerId": DEFAULT_CUSTOMER_ID,
        "lifecycleState": "ACTIVE",
        "createTime": "2024-01-01T00:00:00Z",
        "organization": asked,
    }


@_register("gcp:organizations/getFolder:getFolder")
def _gcp_folder(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing, active folder directly under the organization (brownfield adoption)."""
    folder = _bare(args.get("folder"), "folders/")
    if not folder.isdigit():
        raise InvokeFailure(f"folder {args.get('folder')!r} is not a folder id (folders/<digits>)")
    org = organization_id(ctx)
    return {
        "id": f"folders/{folder}",
        "folder": args.get("folder"),
        "folderId": folder,
        "name": f"folders/{folder}",
        "displayName": f"adopted-{folder[-4:]}",
        "parent": f"organizations/{org}",
        "lifecycleState": "ACTIVE",
        "createTime": "2024-01-01T00:00:00Z",
        "lookupOrganization": bool(args.get("lookupOrganization")),
        "organization": f"organizations/{org}" if args.get("lookupOrganization") else "",
        "deletionProtection": False,
        "configuredCapabilities": [],
        "managementProject": "",
    }


@_register("gcp:organizations/getProject:getProject")
def _gcp_project(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """An existing project (the invoke's project, else the provider's), in the organization."""
    project = args.get("projectId") or provider_project(ctx)
    if not project:
        raise InvokeFailure("project: required field is not set (set gcp:project or pass project_id)")
    return {
        "id": f"projects/{project}",
        "projectId": project,
        "name": str(project),
        "number": project_number(str(project)),
        "orgId": organization_id(ctx),
        "folderId": "",
        "billingAccount": str(ctx.config.get("kasbah:billingAccount") or DEFAULT_BILLING_ACCOUNT),
        "labels": {},
        "effectiveLabels": {},
        "pulumiLabels": {},
        "autoCreateNetwork": False,
        "deletionPolicy": "PREVENT",
        "tags": {},
    }


@_register("gcp:organizations/getBillingAccount:getBillingAccount")
def _gcp_billing(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The open billing account of ``kasbah:billingAccount``."""
    account = str(
        args.get("billingAccount") or ctx.config.get("kasbah:billingAccount") or DEFAULT_BILLING_ACCOUNT
    )
    return {
        "id": account,
        "billingAccount": account,
        "name": f"billingAccounts/{account}",
        "displayName": str(args.get("displayName") or "Kasbah billing"),
        "open": True,
        "masterBillingAccount": "",
        "projectIds": [],
        "currencyCode": "EUR",
    }


@_register("gcp:organizations/getClientConfig:getClientConfig")
def _gcp_client(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The provider's project, region and zone, and a placeholder access token."""
    return {
        "id": "offline",
        "accessToken": "offline-token",
        "project": provider_project(ctx) or "",
        "region": str(ctx.provider_inputs.get("region") or _env(ctx, REGION_ENV_VARS) or ""),
        "zone": str(ctx.provider_inputs.get("zone") or _env(ctx, ZONE_ENV_VARS) or ""),
        "defaultLabels": default_labels(ctx.provider_inputs) or {},
    }


def _service_project(args: Mapping[str, Any], ctx: InvokeContext) -> str:
    project = args.get("project") or provider_project(ctx)
    if not project:
        raise InvokeFailure("project: required field is not set (set gcp:project or pass project)")
    return str(project)


@_register("gcp:logging/getProjectSettings:getProjectSettings")
def _gcp_logging_settings(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A project's Cloud Logging settings and service accounts (``service-<number>@gcp-sa-logging``)."""
    project = _service_project(args, ctx)
    agent = f"service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
    return {
        "id": f"projects/{project}/settings",
        "project": project,
        "name": f"projects/{project}/settings",
        "kmsKeyName": "",
        "kmsServiceAccountId": agent,
        "loggingServiceAccountId": agent,
        "storageLocation": "",
        "disableDefaultSink": False,
    }


@_register("gcp:storage/getProjectServiceAccount:getProjectServiceAccount")
def _gcp_gcs_agent(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """A project's Cloud Storage service agent (``service-<number>@gs-project-accounts``)."""
    project = _service_project(args, ctx)
    email = f"service-{project_number(project)}@gs-project-accounts.iam.gserviceaccount.com"
    return {
        "id": email,
        "project": project,
        "emailAddress": email,
        "member": f"serviceAccount:{email}",
        "userProject": args.get("userProject"),
    }


@_register("gcp:compute/getZones:getZones")
def _gcp_zones(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Zones a, b and c of the region (the invoke's, else the provider's)."""
    region = args.get("region") or ctx.provider_inputs.get("region") or _env(ctx, REGION_ENV_VARS)
    if not region:
        raise InvokeFailure("region: required field is not set (set gcp:region or pass region)")
    return {
        "id": f"projects/{_service_project(args, ctx)}/regions/{region}",
        "project": args.get("project") or provider_project(ctx),
        "region": region,
        "names": [f"{region}-{s}" for s in "abc"],
        "status": args.get("status") or "UP",
    }


CLOUD = Cloud(
    name="gcp",
    packages=tuple(p for p, c in facts.PROVIDER_PACKAGES.items() if c == facts.Cloud.GCP),
    title="GCP",
    account_word="project",
    invokes=INVOKES,
    emulate_check=emulate_check,
    emulate_outputs=emulate_outputs,
    account_of=account_of,
    env_vars=PROJECT_ENV_VARS + REGION_ENV_VARS + ZONE_ENV_VARS,
    resource_account=resource_project,
    tag_properties=("labels",),
)
