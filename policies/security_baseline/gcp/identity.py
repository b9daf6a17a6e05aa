"""Identity and host-access rules for GCP: basic roles, service-account impersonation, default service
accounts, OS Login, serial ports, project-wide SSH keys, Shielded VM, IP forwarding, GKE identities.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, Severity

from policies.framework import (
    Ctx,
    cis_gcp,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    with_props,
)
from policies.security_baseline.gcp.common import flag, metadata
from policies.security_baseline.gcp.tokens import (
    FOLDER_IAM,
    GKE,
    INSTANCE,
    INSTANCE_TEMPLATE,
    ORG_IAM,
    PROJECT_IAM,
    PROJECT_METADATA,
    PROJECT_METADATA_ITEM,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

BASIC_ROLES = frozenset({"roles/owner", "roles/editor"})
IMPERSONATION_ROLES = frozenset({"roles/iam.serviceaccountuser", "roles/iam.serviceaccounttokencreator"})
IAM_TYPES = (*PROJECT_IAM, *FOLDER_IAM, *ORG_IAM)
VMS = (INSTANCE, INSTANCE_TEMPLATE)


def _basic_role(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    role = lower(p.get("role"), "role")
    if role in BASIC_ROLES:
        yield f"{role} is a basic role: it grants thousands of permissions on every service."


GCP_IAM_NO_BASIC_ROLES = rule(
    meta(
        "gcp-iam-no-basic-roles",
        HIGH,
        "No one is granted the basic roles Owner or Editor on a project, folder or the organization.",
        "Grant predefined roles of the services the principal uses (roles/<service>.<role>), or a custom role.",
        [mcsb("PA-7"), cis_gcp("1.5"), dnssi("Access control")],
    ),
    {t: with_props(_basic_role) for t in IAM_TYPES},
)


def _impersonation(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    role = lower(p.get("role"), "role")
    if role in IMPERSONATION_ROLES:
        yield f"{role} at this level lets its members act as every service account below it."


GCP_IAM_NO_PROJECT_SA_IMPERSONATION = rule(
    meta(
        "gcp-iam-no-project-sa-impersonation",
        HIGH,
        "Service Account User and Token Creator are granted on individual service accounts, never on a project, "
        "folder or the organization.",
        "Grant the role on the service account (gcp.serviceaccount.IAMMember) instead.",
        [cis_gcp("1.6"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {t: with_props(_impersonation) for t in IAM_TYPES},
)


def _default_sa(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    sa = p.get("serviceAccount")
    need(sa, "serviceAccount")
    if sa is None:
        return  # no service account at all: the VM has no credentials
    email = lower(get(sa, "email"), "serviceAccount.email")
    if not email or email.endswith("-compute@developer.gserviceaccount.com") or email == "default":
        scopes = [
            lower(s, "serviceAccount.scopes") for s in items(get(sa, "scopes"), "serviceAccount.scopes")
        ]
        broad = any(s in ("cloud-platform", "https://www.googleapis.com/auth/cloud-platform") for s in scopes)
        yield "the VM runs as the Compute Engine default service account" + (
            " with full API access." if broad else "."
        )


GCP_COMPUTE_DEFAULT_SA = rule(
    meta(
        "gcp-compute-default-service-account",
        HIGH,
        "VMs run as a dedicated service account, never the Compute Engine default service account.",
        'Set `service_account={"email": <a dedicated account>, "scopes": ["cloud-platform"]}` and grant that '
        "account only what the workload needs.",
        [cis_gcp("4.1"), cis_gcp("4.2"), mcsb("IM-3"), dnssi("Access control")],
    ),
    {t: with_props(_default_sa) for t in VMS},
)


def _metadata_items(p: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    if ctx.type == PROJECT_METADATA_ITEM:
        return {str(p.get("key")): p.get("value")}
    return metadata(p)


def _os_login(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = flag(_metadata_items(p, ctx).get("enable-oslogin"), "metadata.enable-oslogin")
    if value is False:
        yield "OS Login is turned off (metadata enable-oslogin=FALSE): SSH keys bypass IAM."


GCP_COMPUTE_OS_LOGIN = rule(
    meta(
        "gcp-compute-os-login",
        HIGH,
        "OS Login is never turned off on a project or VM (the organization policy compute.requireOsLogin turns "
        "it on).",
        "Remove `enable-oslogin: FALSE` from the metadata (or set it TRUE).",
        [cis_gcp("4.4"), mcsb("IM-1"), dnssi("Access control")],
    ),
    {t: with_props(_os_login) for t in (*VMS, PROJECT_METADATA, PROJECT_METADATA_ITEM)},
)


def _serial_port(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if flag(_metadata_items(p, ctx).get("serial-port-enable"), "metadata.serial-port-enable"):
        yield "the interactive serial console is on (metadata serial-port-enable=TRUE)."


GCP_COMPUTE_SERIAL_PORT = rule(
    meta(
        "gcp-compute-serial-port-disabled",
        HIGH,
        "The interactive serial console is off on every project and VM.",
        "Remove `serial-port-enable` from the metadata (the organization policy compute.disableSerialPortAccess "
        "blocks it).",
        [cis_gcp("4.5"), mcsb("PV-3"), dnssi("Access control")],
    ),
    {t: with_props(_serial_port) for t in (*VMS, PROJECT_METADATA, PROJECT_METADATA_ITEM)},
)


def _project_keys(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    meta_ = metadata(p)
    if flag(meta_.get("enable-oslogin"), "metadata.enable-oslogin"):
        return  # with OS Login, metadata SSH keys are ignored
    if not flag(meta_.get("block-project-ssh-keys"), "metadata.block-project-ssh-keys"):
        yield "project-wide SSH keys can log in (metadata block-project-ssh-keys is not TRUE)."


GCP_COMPUTE_BLOCK_PROJECT_SSH_KEYS = rule(
    meta(
        "gcp-compute-block-project-ssh-keys",
        MEDIUM,
        "VMs that do not use OS Login block project-wide SSH keys.",
        "Set metadata `enable-oslogin: TRUE`, or `block-project-ssh-keys: TRUE`.",
        [cis_gcp("4.3"), mcsb("IM-8"), dnssi("Access control")],
    ),
    {t: with_props(_project_keys) for t in VMS},
)


def _shielded(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    cfg = p.get("shieldedInstanceConfig")
    need(cfg, "shieldedInstanceConfig")
    if not is_true(get(cfg, "enableSecureBoot"), "shieldedInstanceConfig.enableSecureBoot"):
        yield "Secure Boot is off (shielded_instance_config.enable_secure_boot)."
    for key in ("enableVtpm", "enableIntegrityMonitoring"):
        value = get(cfg, key)
        if value is not None and not is_true(value, f"shieldedInstanceConfig.{key}"):
            yield f"shielded_instance_config.{key} is turned off."


GCP_COMPUTE_SHIELDED_VM = rule(
    meta(
        "gcp-compute-shielded-vm",
        MEDIUM,
        "VMs are Shielded VMs: Secure Boot, vTPM and integrity monitoring on.",
        'Set `shielded_instance_config={"enable_secure_boot": True, "enable_vtpm": True, '
        '"enable_integrity_monitoring": True}` with a Shielded VM image.',
        [cis_gcp("4.8"), mcsb("PV-4"), dnssi("Access control")],
    ),
    {t: with_props(_shielded) for t in VMS},
)


def _ip_forward(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if is_true(p.get("canIpForward"), "canIpForward"):
        yield "the VM forwards packets it does not own (can_ip_forward)."


GCP_COMPUTE_IP_FORWARDING = rule(
    meta(
        "gcp-compute-ip-forwarding",
        MEDIUM,
        "VMs do not forward IP packets (only network appliances, reviewed and exempted, do).",
        "Remove `can_ip_forward=True`, or exempt the appliance with a reason and an expiry.",
        [cis_gcp("4.6"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {t: with_props(_ip_forward) for t in VMS},
)


def _workload_identity(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not present(get(p, "workloadIdentityConfig", "workloadPool")):
        yield "pods use the node's service account: Workload Identity is off (workload_identity_config)."


GCP_GKE_WORKLOAD_IDENTITY = rule(
    meta(
        "gcp-gke-workload-identity",
        HIGH,
        "GKE clusters use Workload Identity Federation for GKE.",
        'Set `workload_identity_config={"workload_pool": "<project>.svc.id.goog"}`.',
        [mcsb("IM-3"), dnssi("Access control")],
    ),
    {GKE: with_props(_workload_identity)},
)


def _shielded_nodes(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    value = p.get("enableShieldedNodes")
    if value is not None and not is_true(value, "enableShieldedNodes"):
        yield "shielded GKE nodes are turned off (enable_shielded_nodes=False)."


GCP_GKE_SHIELDED_NODES = rule(
    meta(
        "gcp-gke-shielded-nodes",
        MEDIUM,
        "GKE clusters keep shielded nodes on (the default).",
        "Remove `enable_shielded_nodes=False`.",
        [mcsb("PV-4"), dnssi("Access control")],
    ),
    {GKE: with_props(_shielded_nodes)},
)


POLICIES: list[Policy] = [
    GCP_IAM_NO_BASIC_ROLES,
    GCP_IAM_NO_PROJECT_SA_IMPERSONATION,
    GCP_COMPUTE_DEFAULT_SA,
    GCP_COMPUTE_OS_LOGIN,
    GCP_COMPUTE_SERIAL_PORT,
    GCP_COMPUTE_BLOCK_PROJECT_SSH_KEYS,
    GCP_COMPUTE_SHIELDED_VM,
    GCP_COMPUTE_IP_FORWARDING,
    GCP_GKE_WORKLOAD_IDENTITY,
    GCP_GKE_SHIELDED_NODES,
]
"""This domain's policies, in catalogue order."""
