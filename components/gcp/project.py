"""``kasbah:gcp:Project``: a project with its APIs, labels and billing, created without a default network.

- ``auto_create_network=False`` (the organization policy ``compute.skipDefaultNetworkCreation`` does the
  same for projects created elsewhere; CIS Google Cloud 3.1);
- one ``gcp.projects.Service`` per API, ``disable_on_destroy=False`` so that destroying the stack never
  breaks what other stacks run in the project (https://cloud.google.com/service-usage/docs/enable-disable);
- ``deletion_policy`` ``PREVENT`` when ``common.protect`` (a deleted project id is never reusable:
  https://cloud.google.com/resource-manager/docs/creating-managing-projects#shutting_down_projects).

Service agents exist only once their API is enabled (and some only once first used), so anything that
grants a service agent a role depends on :attr:`Project.services` (``depends_on``), and the agents are
obtained from ``gcp.projects.ServiceIdentity`` (the generateServiceIdentity API,
https://cloud.google.com/iam/docs/service-agents#create-service-agents) or the service's documented
data source, each ordered after the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs, layer_tags


@dataclass(frozen=True)
class ProjectArgs:
    """Inputs of :class:`Project`."""

    project_id: str
    """Globally unique project id (``components.gcp.naming.project_id``). Required."""
    folder_id: pulumi.Input[str]
    """Parent folder (``folders/<id>`` or the bare id). Required."""
    billing_account: str
    """Billing account id. Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix, labels (``tags``) and protection. Default: ``CommonArgs()``."""
    display_name: str | None = None
    """Display name (4-30 characters). Default: the project id."""
    apis: Sequence[str] = ()
    """APIs to enable. Default: none."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels over ``common.tags``. Default: none."""


class Project(pulumi.ComponentResource):
    """A project with its APIs enabled."""

    project: gcp.organizations.Project
    project_id: pulumi.Output[str]
    number: pulumi.Output[str]
    services: dict[str, gcp.projects.Service]

    def __init__(self, name: str, args: ProjectArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:Project", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        folder = pulumi.Output.from_input(args.folder_id).apply(lambda f: str(f).removeprefix("folders/"))
        self.project = gcp.organizations.Project(
            name,
            project_id=args.project_id,
            name=args.display_name or args.project_id,
            folder_id=folder,
            billing_account=args.billing_account,
            auto_create_network=False,
            labels=layer_tags(args.common.tags, args.labels),
            deletion_policy="PREVENT" if args.common.protect else "DELETE",
            opts=child,
        )
        self.project_id = self.project.project_id
        self.number = self.project.number
        self.services = {
            api: gcp.projects.Service(
                f"{name}-{api.split('.')[0]}",
                project=self.project.project_id,
                service=api,
                disable_on_destroy=False,
                opts=child,
            )
            for api in sorted(set(args.apis))
        }
        self.register_outputs({"projectId": self.project_id, "number": self.number})

    def api(self, service: str) -> list[pulumi.Resource]:
        """The enablement of one API (empty when the project does not enable it): a ``depends_on`` list."""
        found = self.services.get(service)
        return [found] if found is not None else []
