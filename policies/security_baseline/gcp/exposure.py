"""Exposure rules for GCP: public buckets, datasets and keys, public IPs of databases and VMs, GKE nodes.

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
    rule,
    with_props,
)
from policies.framework.network import open_cidr
from policies.security_baseline.gcp.common import PUBLIC_MEMBERS, members
from policies.security_baseline.gcp.tokens import (
    BUCKET,
    BUCKET_IAM,
    DATASET,
    DATASET_ACCESS,
    DATASET_IAM,
    GKE,
    INSTANCE,
    INSTANCE_TEMPLATE,
    KMS_KEY_IAM,
    SQL,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _bucket_pap(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if lower(p.get("publicAccessPrevention"), "publicAccessPrevention") != "enforced":
        yield "public access prevention is not enforced (publicAccessPrevention)."


GCP_STORAGE_PUBLIC_ACCESS_PREVENTION = rule(
    meta(
        "gcp-storage-public-access-prevention",
        HIGH,
        "Cloud Storage buckets enforce public access prevention.",
        'Set `public_access_prevention="enforced"` (the organization policy storage.publicAccessPrevention '
        "enforces it too).",
        [cis_gcp("5.1"), mcsb("DP-2"), dnssi("Access control")],
    ),
    {BUCKET: with_props(_bucket_pap)},
)


def _bucket_ubla(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(p.get("uniformBucketLevelAccess"), "uniformBucketLevelAccess"):
        yield "object ACLs are on: uniform bucket-level access is not enabled."


GCP_STORAGE_UNIFORM_ACCESS = rule(
    meta(
        "gcp-storage-uniform-bucket-level-access",
        MEDIUM,
        "Cloud Storage buckets use uniform bucket-level access (IAM only, no object ACLs).",
        "Set `uniform_bucket_level_access=True`.",
        [cis_gcp("5.2"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {BUCKET: with_props(_bucket_ubla)},
)


def _public_member(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if ctx.type == DATASET:
        for i, entry in enumerate(items(p.get("accesses"), "accesses")):
            group = lower(get(entry, "specialGroup"), f"accesses[{i}].specialGroup")
            if (
                group in ("allauthenticatedusers",)
                or lower(get(entry, "iamMember"), f"accesses[{i}].iamMember") in PUBLIC_MEMBERS
            ):
                yield f"accesses[{i}] grants the dataset to everyone."
        return
    if ctx.type == DATASET_ACCESS:
        group = lower(p.get("specialGroup"), "specialGroup")
        if group == "allauthenticatedusers" or lower(p.get("iamMember"), "iamMember") in PUBLIC_MEMBERS:
            yield "the access entry grants the dataset to everyone."
        return
    for where, member in members(p):
        if member in PUBLIC_MEMBERS:
            yield f"{where} is {member}: anyone on the internet gets {p.get('role')}."


GCP_IAM_NO_PUBLIC_MEMBERS = rule(
    meta(
        "gcp-iam-no-public-members",
        CRITICAL,
        "No bucket, BigQuery dataset or Cloud KMS key is granted to allUsers or allAuthenticatedUsers.",
        "Grant the role to groups or service accounts of the organization; serve public content through a "
        "load balancer or signed URLs.",
        [cis_gcp("5.1"), cis_gcp("7.1"), cis_gcp("1.9"), mcsb("PA-7"), dnssi("Access control")],
    ),
    {
        t: with_props(_public_member)
        for t in (*BUCKET_IAM, *DATASET_IAM, *KMS_KEY_IAM, DATASET, DATASET_ACCESS)
    },
)


def _sql_public_ip(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    ip = get(p, "settings", "ipConfiguration")
    need(ip, "settings.ipConfiguration")
    enabled = get(ip, "ipv4Enabled")
    if enabled is None or is_true(enabled, "settings.ipConfiguration.ipv4Enabled"):
        yield "the instance has a public IPv4 address (settings.ip_configuration.ipv4_enabled is not false)."


GCP_SQL_NO_PUBLIC_IP = rule(
    meta(
        "gcp-sql-no-public-ip",
        HIGH,
        "Cloud SQL instances have no public IP address: they are reached through private services access.",
        "Set `settings.ip_configuration.ipv4_enabled=False` and `private_network` to the Shared VPC.",
        [cis_gcp("6.6"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {SQL: with_props(_sql_public_ip)},
)


def _sql_networks(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    nets = items(
        get(p, "settings", "ipConfiguration", "authorizedNetworks"),
        "settings.ipConfiguration.authorizedNetworks",
    )
    for i, net in enumerate(nets):
        if open_cidr(get(net, "value"), f"authorizedNetworks[{i}].value"):
            yield f"authorizedNetworks[{i}] lets any address connect ({get(net, 'value')})."


GCP_SQL_AUTHORIZED_NETWORKS = rule(
    meta(
        "gcp-sql-authorized-networks-not-open",
        CRITICAL,
        "No Cloud SQL instance authorizes 0.0.0.0/0.",
        "Remove the open entry from `settings.ip_configuration.authorized_networks`; connect privately or "
        "through the Cloud SQL Auth Proxy.",
        [cis_gcp("6.5"), mcsb("NS-2"), dnssi("Network security")],
    ),
    {SQL: with_props(_sql_networks)},
)


def _vm_public_ip(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    for i, nic in enumerate(items(p.get("networkInterfaces"), "networkInterfaces")):
        if items(get(nic, "accessConfigs"), f"networkInterfaces[{i}].accessConfigs"):
            yield f"networkInterfaces[{i}] has an external IP (accessConfigs)."


GCP_COMPUTE_NO_PUBLIC_IP = rule(
    meta(
        "gcp-compute-no-public-ip",
        HIGH,
        "VM instances and instance templates have no external IP address.",
        "Remove `access_configs` from the network interfaces; egress through Cloud NAT, administer through IAP.",
        [cis_gcp("4.9"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {INSTANCE: with_props(_vm_public_ip), INSTANCE_TEMPLATE: with_props(_vm_public_ip)},
)


def _gke_private(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    if not is_true(
        get(p, "privateClusterConfig", "enablePrivateNodes"), "privateClusterConfig.enablePrivateNodes"
    ):
        yield "nodes have public IPs (private_cluster_config.enable_private_nodes is not true)."
    private_endpoint = get(p, "privateClusterConfig", "enablePrivateEndpoint")
    if not is_true(private_endpoint, "privateClusterConfig.enablePrivateEndpoint") and (
        get(p, "masterAuthorizedNetworksConfig") is None
    ):
        yield "the control plane's public endpoint accepts any address (no master_authorized_networks_config)."


GCP_GKE_PRIVATE_CLUSTER = rule(
    meta(
        "gcp-gke-private-cluster",
        HIGH,
        "GKE clusters have private nodes, and a public control-plane endpoint only behind authorized networks.",
        "Set `private_cluster_config.enable_private_nodes=True`, and `enable_private_endpoint=True` or "
        "`master_authorized_networks_config`.",
        [mcsb("NS-2"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {GKE: with_props(_gke_private)},
)


POLICIES: list[Policy] = [
    GCP_STORAGE_PUBLIC_ACCESS_PREVENTION,
    GCP_STORAGE_UNIFORM_ACCESS,
    GCP_IAM_NO_PUBLIC_MEMBERS,
    GCP_SQL_NO_PUBLIC_IP,
    GCP_SQL_AUTHORIZED_NETWORKS,
    GCP_COMPUTE_NO_PUBLIC_IP,
    GCP_GKE_PRIVATE_CLUSTER,
]
"""This domain's policies, in catalogue order."""
