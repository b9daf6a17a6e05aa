"""``kasbah:gcp:Hierarchy``: folders, tag keys and values, essential contacts (FAST stage 0).

The root is the organization, or an existing folder adopted by id (brownfield: the landing zone is
built under it and nothing above it changes). Folders: ``bootstrap``, ``security``, ``networking``, one
per environment, and ``sandbox`` (https://cloud.google.com/resource-manager/docs/creating-managing-folders;
at most 10 levels and 300 folders under one parent). Tag keys live on the organization (a tag key's
parent is an organization or a project, https://cloud.google.com/resource-manager/docs/tags/tags-creating-and-managing);
the environment value is bound to each environment folder (``tags.TagBinding`` with the folder's full
resource name, https://cloud.google.com/resource-manager/docs/tags/tags-creating-and-managing#attaching).
Essential contacts are set on the root (https://cloud.google.com/resource-manager/docs/manage-essential-contacts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.common import CommonArgs
from components.errors import ConfigError
from components.gcp import naming
from components.gcp.gcp_data import CONTACT_CATEGORIES

PLATFORM_FOLDERS: tuple[str, ...] = ("bootstrap", "security", "networking", "sandbox")
"""Folders every landing zone has, besides one per environment."""


@dataclass(frozen=True)
class ContactSpec:
    """One essential contact (``kasbah:hierarchy.contacts[i]``)."""

    email: str
    """Email address (its domain must be in ``orgPolicies.contactDomains``). Required."""
    categories: list[str] = field(default_factory=lambda: ["ALL"])
    """Notification categories (``ALL`` or some of BILLING, LEGAL, PRODUCT_UPDATES, SECURITY, SUSPENSION,
    TECHNICAL). Default: ``[ALL]``."""
    language: str = "en"
    """Language of the notifications. Default: ``en``."""


@dataclass(frozen=True)
class HierarchySpec:
    """The resource hierarchy (``kasbah:hierarchy``)."""

    environments: list[str] = field(default_factory=lambda: ["dev", "prod"])
    """Environments: one workload folder and one Shared VPC host each. Default: ``[dev, prod]``."""
    contacts: list[ContactSpec] = field(default_factory=list)
    """Essential contacts on the root. Default: none."""
    tag_key: str = "environment"
    """Short name of the tag key whose values mark the environment folders. Default: ``environment``."""


def validate_hierarchy(key: str, spec: HierarchySpec, prefix: str) -> None:
    """Folder names, environments and contacts, before anything is created."""
    if not spec.environments:
        raise ConfigError(f"{key}.environments", "no environment", "list at least one, e.g. [dev, prod]")
    if len(set(spec.environments)) != len(spec.environments):
        raise ConfigError(f"{key}.environments", "an environment is listed twice", "list each once")
    for i, env in enumerate(spec.environments):
        if env in PLATFORM_FOLDERS:
            raise ConfigError(
                f"{key}.environments[{i}]", f"{env!r} is a platform folder", "rename the environment"
            )
        naming.rfc1035(f"{key}.environments[{i}]", env)
        naming.folder_name(f"{key}.environments[{i}]", prefix, env)
    for name in PLATFORM_FOLDERS:
        naming.folder_name("kasbah:prefix", prefix, name)
    naming.short_name(f"{key}.tagKey", spec.tag_key)
    for i, contact in enumerate(spec.contacts):
        naming.validate_email(f"{key}.contacts[{i}].email", contact.email)
        for cat in contact.categories:
            if cat != "ALL" and cat not in CONTACT_CATEGORIES:
                raise ConfigError(
                    f"{key}.contacts[{i}].categories",
                    f"{cat!r} is not a notification category",
                    f"use ALL or some of {', '.join(CONTACT_CATEGORIES)}",
                )


@dataclass(frozen=True)
class HierarchyArgs:
    """Inputs of :class:`Hierarchy`."""

    spec: HierarchySpec
    """Folders, contacts and tags (the blueprint's ``kasbah:hierarchy``). Required."""
    organization_id: str
    """Numeric organization id. Required."""
    root: str
    """Parent of the landing zone: ``organizations/<id>`` or ``folders/<id>`` (adopted). Required."""
    common: CommonArgs = field(default_factory=CommonArgs)
    """Prefix and protection. Default: ``CommonArgs()``."""


class Hierarchy(pulumi.ComponentResource):
    """Folders under the root, the environment tag, and the essential contacts."""

    folders: dict[str, gcp.organizations.Folder]
    """Folders by name: the platform folders and one per environment."""
    tag_values: dict[str, gcp.tags.TagValue]

    def __init__(self, name: str, args: HierarchyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kasbah:gcp:Hierarchy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec, prefix = args.spec, args.common.prefix
        self.folders = {
            folder: gcp.organizations.Folder(
                f"{name}-{folder}",
                display_name=naming.folder_name("kasbah:prefix", prefix, folder),
                parent=args.root,
                deletion_protection=args.common.protect,
                opts=child,
            )
            for folder in (*PLATFORM_FOLDERS[:3], *spec.environments, PLATFORM_FOLDERS[3])
        }
        tag_key = gcp.tags.TagKey(
            f"{name}-tag-{spec.tag_key}",
            parent=f"organizations/{args.organization_id}",
            short_name=spec.tag_key,
            description="Environment of the folder (Kasbah landing zone).",
            opts=child,
        )
        self.tag_values = {
            env: gcp.tags.TagValue(
                f"{name}-tag-{spec.tag_key}-{env}",
                parent=tag_key.name.apply(lambda n: f"tagKeys/{str(n).removeprefix('tagKeys/')}"),
                short_name=env,
                description=f"The {env} environment.",
                opts=child,
            )
            for env in spec.environments
        }
        for env, value in self.tag_values.items():
            gcp.tags.TagBinding(
                f"{name}-tag-{env}-folder",
                parent=self.folders[env].name.apply(lambda n: f"//cloudresourcemanager.googleapis.com/{n}"),
                tag_value=value.name.apply(lambda n: f"tagValues/{str(n).removeprefix('tagValues/')}"),
                opts=child,
            )
        for i, contact in enumerate(spec.contacts):
            gcp.essentialcontacts.Contact(
                f"{name}-contact-{i}",
                parent=args.root,
                email=contact.email,
                language_tag=contact.language,
                notification_category_subscriptions=list(contact.categories),
                opts=child,
            )
        self.register_outputs({"folders": {k: f.name for k, f in self.folders.items()}})

    def folder(self, name: str) -> gcp.organizations.Folder:
        return self.folders[name]
