"""gcp-landing-zone: the FAST / example-foundation pattern on Google Cloud (composition only; see settings.py
and components/gcp)."""

import pulumi
import pulumi_gcp as gcp
from settings import OUTPUTS, Settings, contact_domains, validate

from components.common import CLASSIFICATION_TAG, CommonArgs, DataClassification
from components.errors import ConfigError
from components.gcp.factory import ServiceProject, ServiceProjectArgs
from components.gcp.firewall import HierarchicalFirewall, HierarchicalFirewallArgs
from components.gcp.gcp_data import CORE_APIS, HOST_APIS, CoreProject
from components.gcp.hierarchy import Hierarchy, HierarchyArgs
from components.gcp.kms import Kms, KmsArgs
from components.gcp.log_export import LogExport, LogExportArgs
from components.gcp.network import HubAndSpoke, HubAndSpokeArgs
from components.gcp.org_policy import OrgPolicies, OrgPoliciesArgs
from components.gcp.project import Project, ProjectArgs
from components.gcp.vpc_sc import Perimeter, PerimeterArgs
from components.settings import read_settings

settings = read_settings(Settings)
plan = validate(settings)
common = CommonArgs(prefix=settings.prefix, tags=settings.tags, protect=settings.protect)

# Adopt the organization (and the folder) by id: the invokes fail at preview when they do not exist.
organization = gcp.organizations.get_organization(organization=settings.organization_id)
if settings.parent_folder_id is not None:
    adopted = gcp.organizations.get_folder(folder=plan.root, lookup_organization=True)
    if adopted.organization != f"organizations/{settings.organization_id}":
        raise ConfigError(
            "kasbah:parentFolderId and kasbah:organizationId",
            f"{plan.root} belongs to {adopted.organization}, not organizations/{settings.organization_id}",
            "adopt a folder of the landing zone's organization",
        )
domains = contact_domains(settings, organization.domain)
customer_ids = list(settings.org_policies.member_customer_ids) or [organization.directory_customer_id]

hierarchy = Hierarchy(
    "hierarchy",
    HierarchyArgs(
        spec=settings.hierarchy, organization_id=settings.organization_id, root=plan.root, common=common
    ),
)
home = {
    CoreProject.IAC: "bootstrap",
    CoreProject.LOG: "security",
    CoreProject.SECURITY: "security",
    CoreProject.HUB: "networking",
}
classes = {CoreProject.LOG: settings.logging.classification}
projects: dict[str, Project] = {
    role.value: Project(
        f"project-{role.value}",
        ProjectArgs(
            project_id=plan.core_ids[role.value],
            folder_id=hierarchy.folder(home[role]).folder_id,
            billing_account=settings.billing_account,
            common=common,
            apis=CORE_APIS[role],
            labels={CLASSIFICATION_TAG: classes.get(role, DataClassification.INTERNAL).value},
        ),
    )
    for role in CoreProject
}
for env in settings.hierarchy.environments:
    projects[f"net-{env}"] = Project(
        f"project-net-{env}",
        ProjectArgs(
            project_id=plan.core_ids[f"net-{env}"],
            folder_id=hierarchy.folder("networking").folder_id,
            billing_account=settings.billing_account,
            common=common,
            apis=HOST_APIS,
            labels={CLASSIFICATION_TAG: DataClassification.INTERNAL.value, "environment": env},
        ),
    )

kms = Kms(
    "kms",
    KmsArgs(
        spec=settings.kms,
        project_id=projects["sec"].project_id,
        location=settings.region,
        common=common,
        depends_on=projects["sec"].api("cloudkms.googleapis.com"),
    ),
)
logs = LogExport(
    "logging",
    LogExportArgs(
        spec=settings.logging,
        organization_id=settings.organization_id,
        root=plan.root,
        project=projects["log"],
        location=settings.region,
        kms=kms,
        common=common,
    ),
)
# After the log export (terraform-example-foundation orders the domain restriction after the sinks' grants).
OrgPolicies(
    "org-policies",
    OrgPoliciesArgs(
        spec=settings.org_policies,
        root=plan.root,
        customer_ids=customer_ids,
        contact_domains=domains,
        regions=settings.allowed_regions,
        common=common,
    ),
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)
firewall = HierarchicalFirewall("firewall", HierarchicalFirewallArgs(root=plan.root, common=common))
hosts = {"hub": projects[CoreProject.HUB.value]} | {
    e: projects[f"net-{e}"] for e in settings.hierarchy.environments
}
network = HubAndSpoke(
    "network", HubAndSpokeArgs(spec=settings.network, plans=plan.networks, hosts=hosts, common=common)
)

service_projects: dict[str, ServiceProject] = {}
for spec, project_id in zip(settings.projects, plan.service_ids, strict=True):
    vpc = network.vpcs[spec.environment]
    service_projects[spec.name] = ServiceProject(
        f"sp-{spec.environment}-{spec.name}",
        ServiceProjectArgs(
            spec=spec,
            project_id=project_id,
            folder_id=hierarchy.folder(spec.environment).folder_id,
            billing_account=settings.billing_account,
            host_project_id=hosts[spec.environment].project_id,
            host=vpc.host,
            subnets=vpc.subnets,
            common=common,
        ),
    )

perimeter_name: pulumi.Input[str] = ""
if settings.vpc_sc.enabled:
    members = [p.number for p in projects.values()] + [s.project.number for s in service_projects.values()]
    perimeter = Perimeter(
        "vpc-sc",
        PerimeterArgs(
            spec=settings.vpc_sc,
            organization_id=settings.organization_id,
            project_numbers=members,
            common=common,
        ),
    )
    perimeter_name = perimeter.perimeter.name

exports = {
    "root": plan.root,
    "folders": {k: f.name for k, f in hierarchy.folders.items()},
    "projects": {k: p.project_id for k, p in projects.items()},
    "logBuckets": {s.value: b.id for s, b in logs.buckets.items()},
    "keyRingId": kms.key_ring.id,
    "networks": {k: v.network.self_link for k, v in network.vpcs.items()},
    "firewallPolicyId": firewall.policy.id,
    "perimeter": perimeter_name,
    "serviceProjects": {k: s.project.project_id for k, s in service_projects.items()},
}
for out in OUTPUTS:
    pulumi.export(out, exports[out])
