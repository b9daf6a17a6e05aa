"""Pass and fail fixtures of every GCP security-baseline policy, through the offline engine.

The GCP baseline below creates every resource type the GCP rules check, compliant. Pass: no policy
reports anything on it. Fail: one defect at a time, and exactly the policy under test fires, on the
mutated resource. (The AWS and Azure fixtures are in test_policy_baseline_fixtures.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi_gcp as gcp
import pytest

from kasbah.engine import PreviewResult, preview_program
from policies.framework import metadata_of
from policies.security_baseline.gcp import POLICIES

PACK = Path(__file__).resolve().parents[2] / "policies" / "security_baseline"
CONFIG = {"gcp:region": "europe-west9", "gcp:project": "kbh-app-0a1b"}
META = {m.id: m for m in metadata_of(POLICIES)}
DROP = object()
PERSONAL = {"data-classification": "personal"}
KEY = "projects/kbh-sec-0a1b/locations/europe-west9/keyRings/kbh/cryptoKeys/storage"
SA = "app@kbh-app-0a1b.iam.gserviceaccount.com"
SHIELDED = {"enable_secure_boot": True, "enable_vtpm": True, "enable_integrity_monitoring": True}
NIC = {"network": "projects/kbh-net-0a1b/global/networks/vpc-dev", "subnetwork": "vpc-dev-europe-west9"}


@dataclass(frozen=True)
class Case:
    policy: str
    target: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    extra: Callable[[], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.policy}:{self.label or self.target}"


def program(case: Case | None = None) -> Callable[[], None]:
    def run() -> None:
        def mk(cls: Any, name: str, /, **kwargs: Any) -> Any:
            if case is not None and case.target == name:
                kwargs = {**kwargs, **case.overrides}
            return cls(name, **{k: v for k, v in kwargs.items() if v is not DROP})

        mk(
            gcp.organizations.Project,
            "app",
            project_id="kbh-app-0a1b",
            name="kbh-app-0a1b",
            folder_id="123456789012",
            billing_account="012345-6789AB-CDEF01",
            auto_create_network=False,
            labels=PERSONAL,
        )
        mk(
            gcp.storage.Bucket,
            "data",
            location="EUROPE-WEST9",
            public_access_prevention="enforced",
            uniform_bucket_level_access=True,
            versioning={"enabled": True},
            encryption={"default_kms_key_name": KEY},
            labels=PERSONAL,
        )
        mk(
            gcp.storage.BucketIAMMember,
            "data-reader",
            bucket="data",
            role="roles/storage.objectViewer",
            member="group:app@example.ma",
        )
        mk(
            gcp.bigquery.Dataset,
            "warehouse",
            dataset_id="warehouse",
            location="europe-west9",
            default_encryption_configuration={"kms_key_name": KEY},
            accesses=[{"role": "OWNER", "group_by_email": "data@example.ma"}],
            labels=PERSONAL,
        )
        mk(
            gcp.kms.CryptoKeyIAMMember,
            "key-user",
            crypto_key_id=KEY,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member=f"serviceAccount:{SA}",
        )
        mk(
            gcp.sql.DatabaseInstance,
            "db",
            database_version="POSTGRES_16",
            region="europe-west9",
            deletion_protection=True,
            settings={
                "tier": "db-custom-2-7680",
                "ip_configuration": {
                    "ipv4_enabled": False,
                    "ssl_mode": "ENCRYPTED_ONLY",
                    "private_network": NIC["network"],
                },
                "backup_configuration": {"enabled": True, "point_in_time_recovery_enabled": True},
                "user_labels": PERSONAL,
            },
        )
        mk(
            gcp.compute.Disk,
            "disk",
            zone="europe-west9-a",
            size=10,
            disk_encryption_key={"kms_key_self_link": KEY},
            labels=PERSONAL,
        )
        mk(
            gcp.pubsub.Topic,
            "events",
            kms_key_name=KEY,
            labels=PERSONAL,
            message_storage_policy={"allowed_persistence_regions": ["europe-west9"]},
        )
        mk(
            gcp.compute.Firewall,
            "allow-iap",
            network=NIC["network"],
            direction="INGRESS",
            source_ranges=["35.235.240.0/20"],
            allows=[{"protocol": "tcp", "ports": ["22", "3389"]}],
        )
        mk(
            gcp.compute.FirewallPolicyRule,
            "policy-https",
            firewall_policy="locations/global/firewallPolicies/123",
            priority=1000,
            action="allow",
            direction="INGRESS",
            match={
                "src_ip_ranges": ["0.0.0.0/0"],
                "layer4_configs": [{"ip_protocol": "tcp", "ports": ["443"]}],
            },
        )
        mk(
            gcp.compute.Subnetwork,
            "subnet",
            network=NIC["network"],
            region="europe-west9",
            ip_cidr_range="10.16.0.0/20",
            private_ip_google_access=True,
            log_config={
                "aggregation_interval": "INTERVAL_5_SEC",
                "flow_sampling": 0.5,
                "metadata": "INCLUDE_ALL_METADATA",
            },
        )
        mk(gcp.compute.Network, "vpc", auto_create_subnetworks=False)
        mk(
            gcp.dns.ManagedZone,
            "public-zone",
            dns_name="app.example.ma.",
            visibility="public",
            dnssec_config={"state": "on"},
        )
        mk(
            gcp.projects.IAMAuditConfig,
            "audit",
            project="kbh-app-0a1b",
            service="allServices",
            audit_log_configs=[{"log_type": t} for t in ("ADMIN_READ", "DATA_READ", "DATA_WRITE")],
        )
        mk(
            gcp.logging.ProjectBucketConfig,
            "logs",
            project="kbh-app-0a1b",
            location="europe-west9",
            bucket_id="app",
            retention_days=365,
        )
        mk(
            gcp.kms.CryptoKey,
            "key",
            key_ring="projects/kbh-sec-0a1b/locations/europe-west9/keyRings/kbh",
            rotation_period="7776000s",
        )
        mk(
            gcp.projects.IAMMember,
            "viewer",
            project="kbh-app-0a1b",
            role="roles/viewer",
            member="group:app@example.ma",
        )
        mk(gcp.compute.ProjectMetadata, "metadata", metadata={"enable-oslogin": "TRUE"})
        mk(
            gcp.compute.Instance,
            "vm",
            machine_type="e2-small",
            zone="europe-west9-a",
            boot_disk={"initialize_params": {"image": "debian-cloud/debian-12"}},
            network_interfaces=[NIC],
            service_account={"email": SA, "scopes": ["cloud-platform"]},
            metadata={"enable-oslogin": "TRUE"},
            shielded_instance_config=SHIELDED,
        )
        mk(
            gcp.container.Cluster,
            "gke",
            location="europe-west9",
            initial_node_count=1,
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": True,
                "master_ipv4_cidr_block": "172.16.0.0/28",
            },
            workload_identity_config={"workload_pool": "kbh-app-0a1b.svc.id.goog"},
        )
        if case is not None and case.extra is not None:
            case.extra()

    return run


def preview(case: Case | None = None) -> PreviewResult:
    return preview_program(program(case), config=CONFIG, policy_packs=[PACK])


def gcp_findings(result: PreviewResult) -> list[Any]:
    return [v for v in result.violations if v.pack == "security-baseline"]


def describe(items: list[Any]) -> str:
    return "\n".join(f"  {v.policy} [{v.enforcement}] {v.urn}: {v.message}" for v in items) or "  (none)"


def _sa_key() -> None:
    gcp.serviceaccount.Key("leaky-key", service_account_id=f"projects/kbh-app-0a1b/serviceAccounts/{SA}")


def _public_dataset_access() -> None:
    gcp.bigquery.DatasetAccess(
        "public-access", dataset_id="warehouse", role="READER", special_group="allAuthenticatedUsers"
    )


CASES = [
    Case("gcp-personal-data-cmek", "data", {"encryption": DROP}, label="bucket"),
    Case("gcp-personal-data-cmek", "warehouse", {"default_encryption_configuration": DROP}, label="dataset"),
    Case("gcp-personal-data-cmek", "disk", {"disk_encryption_key": DROP}, label="disk"),
    Case("gcp-personal-data-cmek", "events", {"kms_key_name": DROP}, label="topic"),
    Case(
        "gcp-sql-require-ssl",
        "db",
        {
            "settings": {
                "tier": "db-custom-2-7680",
                "ip_configuration": {"ipv4_enabled": False},
                "backup_configuration": {"enabled": True},
            }
        },
    ),
    Case("gcp-storage-public-access-prevention", "data", {"public_access_prevention": "inherited"}),
    Case("gcp-storage-uniform-bucket-level-access", "data", {"uniform_bucket_level_access": False}),
    Case("gcp-iam-no-public-members", "data-reader", {"member": "allUsers"}, label="bucket-member"),
    Case("gcp-iam-no-public-members", "key-user", {"member": "allAuthenticatedUsers"}, label="key-member"),
    Case(
        "gcp-iam-no-public-members",
        "warehouse",
        {"accesses": [{"role": "READER", "special_group": "allAuthenticatedUsers"}]},
        label="dataset-access",
    ),
    Case(
        "gcp-iam-no-public-members",
        "public-access",
        extra=_public_dataset_access,
        label="dataset-access-resource",
    ),
    Case(
        "gcp-sql-no-public-ip",
        "db",
        {
            "settings": {
                "tier": "db-custom-2-7680",
                "ip_configuration": {"ipv4_enabled": True, "ssl_mode": "ENCRYPTED_ONLY"},
                "backup_configuration": {"enabled": True},
            }
        },
    ),
    Case(
        "gcp-sql-authorized-networks-not-open",
        "db",
        {
            "settings": {
                "tier": "db-custom-2-7680",
                "ip_configuration": {
                    "ipv4_enabled": False,
                    "ssl_mode": "ENCRYPTED_ONLY",
                    "authorized_networks": [{"value": "0.0.0.0/0"}],
                },
                "backup_configuration": {"enabled": True},
            }
        },
    ),
    Case("gcp-compute-no-public-ip", "vm", {"network_interfaces": [{**NIC, "access_configs": [{}]}]}),
    Case("gcp-gke-private-cluster", "gke", {"private_cluster_config": DROP}),
    Case("gcp-firewall-admin-ports-open", "allow-iap", {"source_ranges": ["0.0.0.0/0"]}, label="vpc-rule"),
    Case(
        "gcp-firewall-admin-ports-open",
        "policy-https",
        {
            "match": {
                "src_ip_ranges": ["0.0.0.0/0"],
                "layer4_configs": [{"ip_protocol": "tcp", "ports": ["3300-3400"]}],
            }
        },
        label="policy-rule",
    ),
    Case("gcp-subnet-flow-logs", "subnet", {"log_config": DROP}),
    Case("gcp-subnet-private-google-access", "subnet", {"private_ip_google_access": False}),
    Case("gcp-no-default-network", "vpc", {"auto_create_subnetworks": True}, label="network"),
    Case("gcp-no-default-network", "app", {"auto_create_network": DROP}, label="project"),
    Case("gcp-dns-dnssec", "public-zone", {"dnssec_config": DROP}),
    Case("gcp-audit-logging-all-services", "audit", {"audit_log_configs": [{"log_type": "ADMIN_READ"}]}),
    Case("gcp-log-bucket-retention", "logs", {"retention_days": 30}),
    Case("gcp-kms-key-rotation", "key", {"rotation_period": "31536000s"}),
    Case("gcp-iam-no-service-account-keys", "leaky-key", extra=_sa_key),
    Case("gcp-iam-no-basic-roles", "viewer", {"role": "roles/owner"}),
    Case("gcp-iam-no-project-sa-impersonation", "viewer", {"role": "roles/iam.serviceAccountUser"}),
    Case(
        "gcp-compute-default-service-account",
        "vm",
        {
            "service_account": {
                "email": "123456789012-compute@developer.gserviceaccount.com",
                "scopes": ["cloud-platform"],
            }
        },
    ),
    Case("gcp-compute-os-login", "metadata", {"metadata": {"enable-oslogin": "FALSE"}}),
    Case(
        "gcp-compute-serial-port-disabled",
        "vm",
        {"metadata": {"enable-oslogin": "TRUE", "serial-port-enable": "TRUE"}},
    ),
    Case("gcp-compute-block-project-ssh-keys", "vm", {"metadata": DROP}),
    Case(
        "gcp-compute-shielded-vm",
        "vm",
        {"shielded_instance_config": {**SHIELDED, "enable_secure_boot": False}},
    ),
    Case("gcp-compute-ip-forwarding", "vm", {"can_ip_forward": True}),
    Case("gcp-gke-workload-identity", "gke", {"workload_identity_config": DROP}),
    Case("gcp-gke-shielded-nodes", "gke", {"enable_shielded_nodes": False}),
    Case(
        "gcp-sql-automated-backups",
        "db",
        {
            "settings": {
                "tier": "db-custom-2-7680",
                "ip_configuration": {"ipv4_enabled": False, "ssl_mode": "ENCRYPTED_ONLY"},
            }
        },
    ),
    Case("gcp-sql-deletion-protection", "db", {"deletion_protection": False}),
    Case("gcp-storage-versioning-personal-data", "data", {"versioning": {"enabled": False}}),
]


@pytest.fixture(scope="module")
def baseline() -> PreviewResult:
    return preview()


def test_pass_fixture_gcp_baseline_is_compliant(baseline: PreviewResult) -> None:
    reported = gcp_findings(baseline)
    assert not reported, f"the compliant GCP baseline is reported:\n{describe(reported)}"


def test_every_gcp_policy_has_a_fail_fixture() -> None:
    assert sorted(set(META) - {c.policy for c in CASES}) == []
    assert len(META) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fail_fixture_fires_exactly_the_policy(case: Case) -> None:
    result = preview(case)
    reported = gcp_findings(result)
    assert {v.policy for v in reported} == {case.policy}, f"{case.id}:\n{describe(reported)}"
    assert all(v.urn.endswith(f"::{case.target}") for v in reported), describe(reported)
    expected = "mandatory" if META[case.policy].default_enforcement.value == "mandatory" else "advisory"
    assert {v.enforcement for v in reported} == {expected}
