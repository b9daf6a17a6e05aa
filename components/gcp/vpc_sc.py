"""``kasbah:gcp:Perimeter``: a VPC Service Controls perimeter in dry-run mode.

The perimeter is created with an empty enforced configuration and an explicit dry-run configuration
(``use_explicit_dry_run_spec`` and ``spec``): violations are logged (the ``vpc-sc`` sink collects them) and
nothing is blocked until the dry-run configuration is promoted
(https://cloud.google.com/vpc-service-controls/docs/dry-run-mode). Resources are projects by number
(``projects/<number>``, https://cloud.google.com/vpc-service-controls/docs/create-service-perimeters).

An organization has at most one organization-level access policy
(https://cloud.google.com/access-context-manager/docs/create-access-policy): adopt it by id
(``accessPolicyId``; ``gcloud access-context-manager policies list --organization=<id>``); the component
creates one only when told that none exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import VPC_SC_RESTRICTED_SERVICES


@dataclass(frozen=True)
class VpcScSpec:
    """VPC Service Controls (``kasbah:vpcSc``)."""

    enabled: bool = True
    """Create the dry-run perimeter. Default: ``true``."""
    access_policy_id: str | None = None
    """Number of the organization's access policy (adopted). Default: none (then ``createAccessPolicy`` must be true)."""
    create_access_policy: bool = False
    """Create the organization-level access policy (only if the organization has none). Default: ``false``."""
    restricted_services: list[str] = field(default_factory=lambda: list(VPC_SC_RESTRICTED_SERVICES))
    """Services the perimeter restricts. Default: BigQuery, Cloud KMS, Compute Engine, GKE, Logging,
    Pub/Sub, Secret Manager, Cloud SQL, Cloud Storage."""


def validate_vpc_sc(key: str, spec: VpcScSpec, prefix: str) -> None:
    if not spec.enabled:
        return
    if (spec.access_policy_id is None) == (not spec.create_access_policy):
        raise ConfigError(
            f"{key}.accessPolicyId and {key}.createAccessPolicy",
            "exactly one of them must be set",
            "adopt the organization's access policy by id (an organization has at most one), or create it",
        )
    if spec.access_policy_id is not None and not spec.access_policy_id.isdigit():
        raise ConfigError(
            f"{key}.accessPolicyId",
            f"{spec.access_policy_id!r} is not a policy number",
            "use the number `gcloud access-context-manager policies list` shows",
        )
    naming.perimeter_name("kasbah:prefix", perimeter_short_name(prefix))
    for i, service in enumerate(spec.restricted_services):
        if not service.endswith(".googleapis.com"):
            raise ConfigError(
                f"{key}.restrictedServices[{i}]",
                f"{service!r} is not a service name",
                "write it as storage.googleapis.com",
            )


def perimeter_short_name(prefix: str) -> str:
    return f"{prefix}_landing_zone"


@dataclass(frozen=True)
class PerimeterArgs:
    """Inputs of :class:`Perimeter`."""

    spec: VpcScSpec
    """The blueprint's ``kasbah:vpcSc``. Required."""
    organization_id: str
    """Numeric organization id. Required."""
    project_numbers: Sequence[pulumi.Input[str]]
    """Numbers of the projects inside the perimeter. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix. Default: ``CommonArgs()``."""


class Perimeter(pulumi.ComponentResource):
    """The access policy (adopted or created) and a regular perimeter in dry-run mode."""

    perimeter: gcp.accesscontextmanager.ServicePerimeter

    def __init__(self, name: str, args: PerimeterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:Perimeter", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.spec
        policy: pulumi.Input[str]
        if spec.access_policy_id is not None:
            policy = spec.access_policy_id
        else:
            created = gcp.accesscontextmanager.AccessPolicy(
                f"{name}-policy",
                parent=f"organizations/{args.organization_id}",
                title=f"{args.common.prefix} access policy",
                opts=child,
            )
            policy = created.name
        parent = pulumi.Output.concat("accessPolicies/", policy)
        resources = pulumi.Output.all(*args.project_numbers).apply(lambda ns: [f"projects/{n}" for n in ns])
        self.perimeter = gcp.accesscontextmanager.ServicePerimeter(
            f"{name}-perimeter",
            parent=parent,
            name=pulumi.Output.concat(
                parent, "/servicePerimeters/", perimeter_short_name(args.common.prefix)
            ),
            title=perimeter_short_name(args.common.prefix),
            perimeter_type="PERIMETER_TYPE_REGULAR",
            use_explicit_dry_run_spec=True,
            spec={
                "resources": resources,
                "restricted_services": list(spec.restricted_services),
                "vpc_accessible_services": {
                    "enable_restriction": True,
                    "allowed_services": ["RESTRICTED-SERVICES"],
                },
            },
            opts=child,
        )
        self.register_outputs({"perimeterName": self.perimeter.name})
