"""``kasbah:gcp:ServiceProject``: project vending (FAST's project factory, terraform-example-foundation's 4-projects).

A service project is created in its environment's folder, attached to the environment's Shared VPC host
(``compute.SharedVPCServiceProject``, after the host is enabled and the project's Compute Engine API is on:
https://cloud.google.com/vpc/docs/provisioning-shared-vpc#create-shared), labelled with its environment and
data classification, and given:

- ``roles/compute.networkUser`` on the environment's subnets for its Google APIs service agent
  (``<number>@cloudservices.gserviceaccount.com``, which exists as soon as the project does:
  https://cloud.google.com/iam/docs/service-agents) and for the members the spec lists
  (https://cloud.google.com/vpc/docs/shared-vpc#iam_in_shared_vpc);
- a budget on the billing account scoped to the project, alerting at 50, 90 and 100 % of actual spend and
  100 % of forecast (https://cloud.google.com/billing/docs/how-to/budgets; the amount's currency is left
  to the billing account's, since a different one is refused);
- the project-level IAM grants the spec lists (no basic roles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CLASSIFICATION_TAG, CommonArgs, DataClassification
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import SERVICE_PROJECT_APIS
from components.gcp.project import Project, ProjectArgs

BUDGET_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (0.5, "CURRENT_SPEND"),
    (0.9, "CURRENT_SPEND"),
    (1.0, "CURRENT_SPEND"),
    (1.0, "FORECASTED_SPEND"),
)


@dataclass(frozen=True)
class IamGrantSpec:
    """A project-level role and its members (``kasbah:projects[i].iam[j]``)."""

    role: str
    """A predefined or custom role (never roles/owner or roles/editor). Required."""
    members: list[str]
    """Members, e.g. ``group:team@example.ma``. Required."""


@dataclass(frozen=True)
class ServiceProjectSpec:
    """One vended project (``kasbah:projects[i]``)."""

    name: str
    """Short name (the project id is ``<prefix>-<environment>-<name>-<hash>``). Required."""
    environment: str
    """Its environment (one of ``hierarchy.environments``). Required."""
    data_classification: DataClassification = DataClassification.INTERNAL
    """Classification of the project's data (its ``data-classification`` label). Default: ``internal``."""
    apis: list[str] = field(default_factory=list)
    """APIs to enable besides Compute Engine. Default: none."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels (lowercase). Default: none."""
    budget_amount: int = 500
    """Monthly budget in the billing account's currency. Default: ``500``."""
    network_users: list[str] = field(default_factory=list)
    """Members granted ``roles/compute.networkUser`` on the environment's subnets. Default: none."""
    iam: list[IamGrantSpec] = field(default_factory=list)
    """Project-level grants. Default: none."""


def service_project_id(key: str, prefix: str, spec: ServiceProjectSpec, basis: str) -> str:
    return naming.project_id(f"{key}.name", prefix, f"{spec.environment}-{spec.name}", basis)


def validate_projects(
    key: str, specs: Sequence[ServiceProjectSpec], environments: Sequence[str], prefix: str, basis: str
) -> None:
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs):
        k = f"{key}[{i}]"
        naming.rfc1035(f"{k}.name", spec.name)
        if spec.environment not in environments:
            raise ConfigError(
                f"{k}.environment and kasbah:hierarchy.environments",
                f"{spec.environment!r} is not an environment",
                f"use one of {', '.join(environments)}",
            )
        pid = service_project_id(k, prefix, spec, basis)
        if pid in seen:
            raise ConfigError(
                f"{key}[{seen[pid]}].name and {k}.name",
                f"both give the project id {pid!r}",
                "give each project its own name",
            )
        seen[pid] = i
        if spec.data_classification is DataClassification.SENSITIVE:
            raise ConfigError(
                f"{k}.dataClassification",
                "sensitive data may only be hosted on a qualified in-country sovereign cloud (decree 2-24-921), not on Google Cloud",
                "classify it personal or lower, or host it in-country",
            )
        if spec.budget_amount <= 0:
            raise ConfigError(
                f"{k}.budgetAmount",
                f"{spec.budget_amount} is not positive",
                "set a monthly amount such as 500",
            )
        naming.validate_labels(f"{k}.labels", spec.labels)
        for j, member in enumerate(spec.network_users):
            naming.validate_member(f"{k}.networkUsers[{j}]", member)
        for j, grant in enumerate(spec.iam):
            naming.validate_role(f"{k}.iam[{j}].role", grant.role)
            for m, member in enumerate(grant.members):
                naming.validate_member(f"{k}.iam[{j}].members[{m}]", member)
        for j, api in enumerate(spec.apis):
            if not api.endswith(".googleapis.com"):
                raise ConfigError(
                    f"{k}.apis[{j}]", f"{api!r} is not a service name", "write it as bigquery.googleapis.com"
                )


@dataclass(frozen=True)
class ServiceProjectArgs:
    """Inputs of :class:`ServiceProject`."""

    spec: ServiceProjectSpec
    """The project's settings (the blueprint's ``kasbah:projects[i]``). Required."""
    project_id: str
    """Its project id (``service_project_id``). Required."""
    folder_id: pulumi.Input[str]
    """The environment's folder. Required."""
    billing_account: str
    """Billing account id. Required."""
    host_project_id: pulumi.Input[str]
    """The environment's Shared VPC host project. Required."""
    host: pulumi.Resource
    """The host's ``SharedVPCHostProject`` (the attachment waits for it). Required."""
    subnets: Mapping[str, gcp.compute.Subnetwork]
    """The environment's subnets by region. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, labels, protection. Default: ``CommonArgs()``."""


class ServiceProject(pulumi.ComponentResource):
    """A vended project attached to its environment's Shared VPC, with budget, labels and IAM."""

    project: Project

    def __init__(
        self, name: str, args: ServiceProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kasbah:gcp:ServiceProject", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.spec
        self.project = Project(
            name,
            ProjectArgs(
                project_id=args.project_id,
                folder_id=args.folder_id,
                billing_account=args.billing_account,
                common=args.common,
                apis=[*SERVICE_PROJECT_APIS, *spec.apis],
                labels={
                    **spec.labels,
                    "environment": spec.environment,
                    CLASSIFICATION_TAG: spec.data_classification.value,
                },
            ),
            opts=child,
        )
        project_id, number = self.project.project_id, self.project.number
        gcp.compute.SharedVPCServiceProject(
            f"{name}-attach",
            host_project=args.host_project_id,
            service_project=project_id,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[args.host, *self.project.api("compute.googleapis.com")]
            ),
        )
        members: list[pulumi.Input[str]] = [
            number.apply(lambda n: f"serviceAccount:{n}@cloudservices.gserviceaccount.com"),
            *spec.network_users,
        ]
        for region, subnet in sorted(args.subnets.items()):
            for i, member in enumerate(members):
                gcp.compute.SubnetworkIAMMember(
                    f"{name}-netuser-{region}-{i}",
                    project=args.host_project_id,
                    region=subnet.region,
                    subnetwork=subnet.name,
                    role="roles/compute.networkUser",
                    member=member,
                    opts=child,
                )
        gcp.billing.Budget(
            f"{name}-budget",
            billing_account=args.billing_account,
            display_name=f"{args.project_id} monthly"[:60],
            budget_filter={"projects": [number.apply(lambda n: f"projects/{n}")], "calendar_period": "MONTH"},
            amount={"specified_amount": {"units": str(spec.budget_amount)}},
            threshold_rules=[{"threshold_percent": t, "spend_basis": b} for t, b in BUDGET_THRESHOLDS],
            opts=child,
        )
        for j, grant in enumerate(spec.iam):
            for m, member in enumerate(grant.members):
                gcp.projects.IAMMember(
                    f"{name}-iam-{j}-{m}", project=project_id, role=grant.role, member=member, opts=child
                )
        self.register_outputs({"projectId": project_id, "number": number})
