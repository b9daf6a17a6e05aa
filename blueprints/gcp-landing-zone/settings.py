"""Configuration of the gcp-landing-zone blueprint (the ``kasbah:`` keys) and its stack outputs.

The settings embed the components' own specs (``HierarchySpec``, ``OrgPolicySpec``, ``LoggingSpec``,
``KmsSpec``, ``NetworkSpec``, ``VpcScSpec``, ``ServiceProjectSpec``): each key is declared once, in the
component that uses it. :func:`validate` checks every value before any resource is registered; a bad
value is one line naming its configuration key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.errors import ConfigError
from components.gcp import naming
from components.gcp.factory import ServiceProjectSpec, service_project_id, validate_projects
from components.gcp.gcp_data import APPROVED_REGIONS, DEFAULT_REGION, CoreProject
from components.gcp.hierarchy import HierarchySpec, validate_hierarchy
from components.gcp.kms import KmsSpec, validate_kms
from components.gcp.log_export import LoggingSpec, validate_logging
from components.gcp.network import NetworkSpec, validate_network
from components.gcp.network_plan import VpcPlan
from components.gcp.org_policy import OrgPolicySpec, validate_org_policies
from components.gcp.vpc_sc import VpcScSpec, validate_vpc_sc
from components.settings import CommonSettings

OrgPolicySpec = OrgPolicySpec  # re-exported for tests and copies of the blueprint


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The gcp-landing-zone blueprint's configuration."""

    organization_id: str
    """Numeric id of the existing organization (``gcloud organizations list``). Required."""
    billing_account: str
    """Billing account of every project (``XXXXXX-XXXXXX-XXXXXX``). Required."""
    parent_folder_id: str | None = None
    """Adopt an existing folder: the landing zone is built under it and policies, sinks and the firewall
    policy apply to it, not to the organization. Default: none (the organization is the root)."""
    region: str = DEFAULT_REGION
    """Home region: log buckets, key ring, subnets, NAT. Default: ``europe-west9``."""
    allowed_regions: list[str] = field(default_factory=lambda: list(APPROVED_REGIONS))
    """Regions resources may use (``gcp.resourceLocations``). Default: ``[europe-west9, europe-southwest1]``."""
    hierarchy: HierarchySpec = field(default_factory=HierarchySpec)
    """Folders, environments, essential contacts and the environment tag."""
    org_policies: OrgPolicySpec = field(default_factory=OrgPolicySpec)
    """Organization policies (library in components/gcp/org_policies.json)."""
    logging: LoggingSpec = field(default_factory=LoggingSpec)
    """Organization sinks and CMEK log buckets."""
    kms: KmsSpec = field(default_factory=KmsSpec)
    """The platform key ring."""
    network: NetworkSpec = field(default_factory=NetworkSpec)
    """Hub and spokes, NAT, DNS, HA VPN."""
    vpc_sc: VpcScSpec = field(default_factory=VpcScSpec)
    """The dry-run service perimeter."""
    projects: list[ServiceProjectSpec] = field(default_factory=list)
    """Vended service projects (project factory). Default: none."""


@dataclass(frozen=True)
class Plan:
    """What validation computed: the root, project ids and the network's address plan."""

    root: str
    """``organizations/<id>`` or ``folders/<id>``."""
    core_ids: dict[str, str]
    """Project id of each core project (``iac``, ``log``, ``sec``, ``net-hub``) and host (``net-<env>``)."""
    service_ids: list[str]
    """Project id of each vended project, in ``projects`` order."""
    networks: list[VpcPlan]
    """The hub's plan, then one per environment."""
    regions: list[str]


def validate(s: Settings) -> Plan:
    """Every cross-field rule, before any resource exists; ConfigError names the key(s)."""
    naming.validate_org_id("kasbah:organizationId", s.organization_id)
    naming.validate_billing_account("kasbah:billingAccount", s.billing_account)
    naming.validate_labels("kasbah:tags", dict(s.tags))
    root = f"organizations/{s.organization_id}"
    if s.parent_folder_id is not None:
        root = f"folders/{naming.validate_folder_id('kasbah:parentFolderId', s.parent_folder_id)}"
    allowed = naming.validate_regions("kasbah:allowedRegions", s.allowed_regions)
    naming.validate_region("kasbah:region", s.region, allowed, "kasbah:allowedRegions")
    regions = list(s.network.regions) or [s.region]
    for i, r in enumerate(regions):
        naming.validate_region(f"kasbah:network.regions[{i}]", r, allowed, "kasbah:allowedRegions")
    envs = list(s.hierarchy.environments)
    validate_hierarchy("kasbah:hierarchy", s.hierarchy, s.prefix)
    validate_org_policies("kasbah:orgPolicies", s.org_policies)
    validate_logging("kasbah:logging", s.logging)
    validate_kms("kasbah:kms", s.kms)
    validate_vpc_sc("kasbah:vpcSc", s.vpc_sc, s.prefix)
    networks = validate_network("kasbah:network", s.network, envs, regions)
    basis = s.organization_id
    core = {c.value: naming.project_id("kasbah:prefix", s.prefix, c.value, basis) for c in CoreProject}
    core |= {
        f"net-{e}": naming.project_id("kasbah:hierarchy.environments", s.prefix, f"net-{e}", basis)
        for e in envs
    }
    validate_projects("kasbah:projects", s.projects, envs, s.prefix, basis)
    services = [
        service_project_id(f"kasbah:projects[{i}]", s.prefix, p, basis) for i, p in enumerate(s.projects)
    ]
    clash = set(core.values()) & set(services)
    if clash:
        raise ConfigError(
            "kasbah:projects", f"project id {sorted(clash)[0]!r} is a core project's", "rename the project"
        )
    return Plan(root, core, services, networks, regions)


def contact_domains(s: Settings, organization_domain: str) -> list[str]:
    """Domains essential contacts may use: configured, else the organization's; every contact's domain
    must be among them (the organization policy would refuse the contact)."""
    domains = list(s.org_policies.contact_domains) or [organization_domain]
    for i, contact in enumerate(s.hierarchy.contacts):
        domain = contact.email.rsplit("@", 1)[-1]
        if domain not in domains:
            raise ConfigError(
                f"kasbah:hierarchy.contacts[{i}].email and kasbah:orgPolicies.contactDomains",
                f"{domain} is not an allowed contact domain ({', '.join(domains)})",
                "use an address of an allowed domain, or add the domain",
            )
    return domains


OUTPUTS: dict[str, str] = {
    "root": "The landing zone's root: organizations/<id> or the adopted folders/<id>.",
    "folders": "Resource names of the folders, by name.",
    "projects": "Project ids of the core projects and Shared VPC hosts, by role.",
    "logBuckets": "Ids of the CMEK log buckets the organization sinks write to, by sink.",
    "keyRingId": "Id of the platform key ring.",
    "networks": "Self links of the hub and spoke VPCs, by name.",
    "firewallPolicyId": "Id of the hierarchical firewall policy.",
    "perimeter": "Name of the dry-run service perimeter (empty when VPC Service Controls is off).",
    "serviceProjects": "Project id of each vended project, by name.",
}
"""Each exported stack output and what it holds."""
