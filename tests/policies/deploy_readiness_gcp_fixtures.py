"""GCP programs for the deploy-readiness pack's fixtures: each ``ordered``/``bad`` switch flips one defect."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_gcp as gcp

Fixture = Callable[[], None]
PROJECT = "kbh-net-dev-0a1b"


def _project(project_id: str = PROJECT) -> gcp.organizations.Project:
    return gcp.organizations.Project(
        "host",
        project_id=project_id,
        name=project_id,
        folder_id="123456789012",
        billing_account="012345-6789AB-CDEF01",
        auto_create_network=False,
    )


def api_before_network(ordered: bool) -> Fixture:
    """A VPC in a project whose Compute Engine API is enabled in the same run."""

    def program() -> None:
        project = _project()
        api = gcp.projects.Service("compute", project=project.project_id, service="compute.googleapis.com")
        gcp.compute.Network(
            "vpc",
            name="vpc-dev",
            project=project.project_id,
            auto_create_subnetworks=False,
            opts=pulumi.ResourceOptions(depends_on=[api] if ordered else []),
        )

    return program


def shared_vpc_attachment(ordered: bool) -> Fixture:
    def program() -> None:
        host_project = _project()
        api = gcp.projects.Service(
            "compute", project=host_project.project_id, service="compute.googleapis.com"
        )
        host = gcp.compute.SharedVPCHostProject(
            "host-enable", project=host_project.project_id, opts=pulumi.ResourceOptions(depends_on=[api])
        )
        service_api = gcp.projects.Service(
            "svc-compute", project="kbh-dev-app-0a1b", service="compute.googleapis.com"
        )
        gcp.compute.SharedVPCServiceProject(
            "attach",
            host_project=host_project.project_id,
            service_project="kbh-dev-app-0a1b",
            opts=pulumi.ResourceOptions(depends_on=[host, service_api] if ordered else [service_api]),
        )

    return program


def cmek_log_bucket(ordered: bool) -> Fixture:
    def program() -> None:
        key = gcp.kms.CryptoKey(
            "key", name="logging", key_ring="projects/kbh-sec/locations/europe-west9/keyRings/kbh"
        )
        grant = gcp.kms.CryptoKeyIAMMember(
            "grant",
            crypto_key_id=key.id,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member="serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
        )
        gcp.logging.ProjectBucketConfig(
            "bucket",
            project="kbh-log-0a1b",
            location="europe-west9",
            bucket_id="audit",
            retention_days=365,
            cmek_settings={"kms_key_name": key.id},
            opts=pulumi.ResourceOptions(depends_on=[grant] if ordered else []),
        )

    return program


def default_network() -> None:
    gcp.compute.Network("default-net", name="default", project=PROJECT, auto_create_subnetworks=False)


def required_bucket() -> None:
    gcp.logging.ProjectBucketConfig(
        "required", project=PROJECT, location="global", bucket_id="_Required", retention_days=400
    )


def long_project_id() -> None:
    gcp.organizations.Project(
        "too-long",
        project_id="kbh-production-analytics-platform",
        name="analytics",
        folder_id="123456789012",
        billing_account="012345-6789AB-CDEF01",
        auto_create_network=False,
    )


def perimeter_with_hyphen() -> None:
    gcp.accesscontextmanager.ServicePerimeter(
        "perimeter",
        parent="accessPolicies/987654321",
        name="accessPolicies/987654321/servicePerimeters/kbh-landing-zone",
        title="kbh",
        use_explicit_dry_run_spec=True,
        spec={"restricted_services": ["storage.googleapis.com"]},
    )


def valid_names() -> None:
    _project()
    gcp.accesscontextmanager.ServicePerimeter(
        "perimeter",
        parent="accessPolicies/987654321",
        name="accessPolicies/987654321/servicePerimeters/kbh_landing_zone",
        title="kbh",
        use_explicit_dry_run_spec=True,
        spec={"restricted_services": ["storage.googleapis.com"]},
    )
