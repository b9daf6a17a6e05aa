"""Relating resources and resolving their locations inside a policy (thin layer over :mod:`.profiles`).

Values come from pulumi-policy's unknown-checking proxies: ``plain`` (of
:mod:`policies.framework`) unwraps them into plain dicts and lists that keep the
unknown sentinels, so that the pure functions of :mod:`.profiles` can decide (or
raise ``Undecided``). Resources are related through property dependencies, never
through IDs (IDs are unknown during preview).

The cloud of a resource comes from its type token's package (:func:`kasbah.facts.cloud_of`):
AWS, Azure and GCP have their own resolution (zones, resource groups; GCP zones, multi-regions and
replicas in :mod:`.gcp`); OpenStack and vSphere resolve to the declared sovereign locations
(``sovereignLocations``): an OpenStack store from its ``region`` input, else its provider's ``region``
(and ``authUrl``); a vSphere store from its provider's ``vsphereServer`` (the vCenter) and the datacenter,
when a ``vsphere.Datacenter`` of the stack is related, else every datacenter declared for that vCenter.
Any other package (or an extra GCP store type) is located only from its own ``region`` or ``location``
input, else its provider's, and never as if it were AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kasbah.facts import CLASSIFICATION_TAG, Cloud, cloud_of, package_of
from policies.framework import Undecided, class_from_tags, is_unknown, plain, program_set

from . import gcp, inventory, locations
from .profiles import (
    Classification,
    Location,
    Profile,
    aws_region,
    classification_of,
    defines_volumes,
    get_path,
    is_relational,
    normalize_azure_location,
    zone_location,
)


def provider_value(provider: Any, key: str) -> Any:
    """A provider input (explicit provider, or the default provider built from stack config)."""
    if provider is None:
        return None
    props = plain(provider.props)
    return props.get(key)


def provider_label(provider: Any) -> str:
    if provider is None:
        return "(none)"
    name = str(getattr(provider, "name", "") or "")
    if name.startswith("default"):
        return f"the default provider ({name}, from stack config)"
    return f"provider '{name}'"


def cloud_name(resource_type: str) -> str:
    """The cloud of a type token (``aws``, ``azure``, ``gcp``), else its package (``oci``...)."""
    cloud = cloud_of(resource_type)
    return cloud.value if cloud is not None else package_of(resource_type)


class Stack:
    """The resources of a stack, indexed for relations (built once per stack policy run)."""

    def __init__(self, resources: Iterable[Any], profile: Profile) -> None:
        self.profile = profile
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self._plain: dict[str, dict[str, Any]] = {}
        self._asgs_of_template: dict[str, list[Any]] | None = None

    def props(self, resource: Any) -> dict[str, Any]:
        cached = self._plain.get(resource.urn)
        if cached is None:
            cached = program_set(
                plain(resource.props), getattr(resource, "property_dependencies", None) or {}
            )
            self._plain[resource.urn] = cached
        return cached

    def related(self, resource: Any, prop: str, resource_type: str | None = None) -> list[Any]:
        """Resources a property depends on (optionally of one type)."""
        deps = (getattr(resource, "property_dependencies", None) or {}).get(prop) or []
        return [d for d in deps if resource_type is None or d.resource_type == resource_type]

    def of_type(self, resource_type: str) -> list[Any]:
        return [r for r in self.resources if r.resource_type == resource_type]

    def classification(self, resource: Any) -> Classification | None:
        spec = self.profile.data_store(resource.resource_type)
        if spec is None:
            return None
        return self.classify(resource, spec)

    def classify(self, resource: Any, spec: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Classification:
        """A store's class, from its own inputs or, for the relational sources, its relations and config."""
        if spec["classification"] == inventory.PROJECT_LABELS:
            found = classification_of(spec, self.props(resource))
            return self._project_classification(resource) or found
        if not is_relational(spec):
            return classification_of(spec, self.props(resource))
        source = str(spec["classification"])
        if source == inventory.VSPHERE_TAGS:
            return self._vsphere_tag_class(resource)
        declared = self.profile.declared_class(resource.urn)
        if source.startswith(inventory.RELATED_PREFIX):
            prop = source.removeprefix(inventory.RELATED_PREFIX)
            for dep in self.related(resource, prop):
                dep_spec = self.profile.data_store(dep.resource_type)
                if dep_spec is None or dep.urn in seen:
                    continue
                found = self.classify(dep, dep_spec, (*seen, resource.urn))
                if found.value is not None:
                    return Classification(found.value, f"{dep.name}'s {found.where}")
            if declared is not None:
                return Classification(declared, "declaredClassifications")
            return Classification(None, f"the store its {prop} refers to, or declaredClassifications")
        if declared is not None:
            return Classification(declared, "declaredClassifications")
        return Classification(
            None, "declaredClassifications (the provider gives this store no tags or metadata)"
        )

    def _vsphere_tag_class(self, resource: Any) -> Classification:
        """The name of the ``vsphere.Tag`` in ``tags`` whose category is named ``data-classification``."""
        pairs: list[tuple[Any, Any, str]] = []
        for tag in self.related(resource, "tags", inventory.VSPHERE_TAG):
            for category in self.related(tag, "categoryId", inventory.VSPHERE_TAG_CATEGORY):
                pairs.append((self.props(tag).get("name"), self.props(category).get("name"), tag.name))
        try:
            value = class_from_tags((name, category) for name, category, _ in pairs)
        except Undecided as und:
            raise Undecided(f"{resource.name}: vSphere tag {und.what}") from None
        if value is None:
            return Classification(None, f"tags (a vsphere.Tag of the '{CLASSIFICATION_TAG}' category)")
        where = next(t for name, c, t in pairs if name == value and c == CLASSIFICATION_TAG)
        return Classification(value, f"vSphere tag {where} (category {CLASSIFICATION_TAG})")

    def _project_classification(self, resource: Any) -> Classification | None:
        """The class of a GCP store without labels: its project's ``data-classification`` label."""
        projects = self.related(resource, "project", inventory.GCP_PROJECT)
        if not projects:
            name = self.props(resource).get("project")
            if is_unknown(name):
                raise Undecided(f"{resource.name}: project")
            projects = [
                p
                for p in self.of_type(inventory.GCP_PROJECT)
                if name and self.props(p).get("projectId") == name
            ]
        for project in projects:
            labels = self.props(project).get("labels")
            if is_unknown(labels):
                raise Undecided(f"project {project.name}: labels")
            value = labels.get(CLASSIFICATION_TAG) if isinstance(labels, Mapping) else None
            if value is not None:
                if is_unknown(value):
                    raise Undecided(f"project {project.name}: the {CLASSIFICATION_TAG} label")
                return Classification(str(value), f"project {project.name}'s labels")
        return None

    # --- locations -----------------------------------------------------------------------------

    def locate(self, resource: Any) -> list[Location] | None:
        """Where a resource stores data: ``None`` when out of scope (global), ``[]`` when unresolvable."""
        cloud = cloud_of(resource.resource_type)
        if cloud is Cloud.AWS:
            return self._aws_locations(resource)
        if cloud is Cloud.AZURE:
            loc = self._azure_location(resource)
            if loc is not None and loc.name in locations.GLOBAL_LOCATIONS:
                return None
        elif (
            cloud is Cloud.GCP
            and (spec := self.profile.data_store(resource.resource_type))
            and "where" in spec
        ):
            return gcp.locate(
                spec, self.props(resource), resource.name, lambda: self._provider_region(resource)
            )
        elif cloud is Cloud.OPENSTACK:
            loc = self._openstack_location(resource)
        elif cloud is Cloud.VSPHERE:
            return self._vsphere_locations(resource)
        else:
            loc = self._own_or_provider_location(resource, cloud_name(resource.resource_type))
        return [] if loc is None else [loc]

    def _own_or_provider_location(self, resource: Any, cloud: str) -> Location | None:
        """A cloud without its own resolution: the ``region``/``location`` input, else the provider's."""
        props = self.props(resource)
        for key in ("region", "location"):
            value = props.get(key)
            if is_unknown(value):
                raise Undecided(f"{resource.name}: {key}")
            if value:
                return Location(str(value), cloud, source=f"its {key} input")
        for key in ("region", "location"):
            value = provider_value(resource.provider, key)
            if is_unknown(value):
                raise Undecided(f"the {key} of {provider_label(resource.provider)}")
            if value:
                return Location(str(value), cloud, source=provider_label(resource.provider))
        return None

    def _provider_region(self, resource: Any) -> tuple[Any, str]:
        return provider_value(resource.provider, "region"), provider_label(resource.provider)

    def _openstack_location(self, resource: Any) -> Location | None:
        """The region (own input, else the provider's), matched to a declared location (with authUrl)."""
        props = self.props(resource)
        region, source = props.get("region"), "its region input"
        if is_unknown(region):
            raise Undecided(f"{resource.name}: region")
        if not region:
            region, source = provider_value(resource.provider, "region"), provider_label(resource.provider)
            if is_unknown(region):
                raise Undecided(f"the region of {source}")
        if not region:
            return None
        auth_url = provider_value(resource.provider, "authUrl")
        candidates = [
            d for d in self.profile.sovereign if d.cloud is Cloud.OPENSTACK and d.region == str(region)
        ]
        exact = [d for d in candidates if d.auth_url and not is_unknown(auth_url) and d.auth_url == auth_url]
        generic = [d for d in candidates if not d.auth_url]
        matches = exact or generic
        if not matches:
            return Location(str(region), Cloud.OPENSTACK.value, source=source)
        return Location(matches[0].name, Cloud.OPENSTACK.value, source=source, sovereign=matches[0])

    def _vsphere_locations(self, resource: Any) -> list[Location]:
        """The vCenter of the provider, refined by a related datacenter, matched to declared locations."""
        label = provider_label(resource.provider)
        vcenter = provider_value(resource.provider, "vsphereServer")
        if is_unknown(vcenter):
            raise Undecided(f"the vsphereServer of {label}")
        if not vcenter:
            return []
        datacenters: list[str] = []
        for dc in self.related(resource, "datacenterId", inventory.VSPHERE_DATACENTER):
            name = self.props(dc).get("name")
            if is_unknown(name):
                raise Undecided(f"datacenter {dc.name}: name")
            datacenters.append(str(name))
        declared = [d for d in self.profile.sovereign if d.cloud is Cloud.VSPHERE and d.vcenter == vcenter]
        if datacenters:
            declared = [d for d in declared if d.datacenter in datacenters]
            if not declared:
                return [
                    Location(f"{vcenter}/{dc}", Cloud.VSPHERE.value, source=f"{label}, datacenter {dc}")
                    for dc in datacenters
                ]
        if not declared:
            return [Location(str(vcenter), Cloud.VSPHERE.value, source=label)]
        return [
            Location(d.name, Cloud.VSPHERE.value, source=f"{label} (vCenter {vcenter})", sovereign=d)
            for d in declared
        ]

    def _aws_locations(self, resource: Any) -> list[Location]:
        props = self.props(resource)
        provider = resource.provider
        base = aws_region(props.get("region"), provider_value(provider, "region"), provider_label(provider))
        if base is None:
            return []
        spec = self.profile.data_store(resource.resource_type) or {"zone": (), "subnets": ()}
        zones = self._zones(resource, props, spec)
        if resource.resource_type == "aws:ec2/launchTemplate:LaunchTemplate" and not zones:
            for asg in self._asgs(resource):
                zones.extend(self._asg_zones(asg))
        found: list[Location] = []
        for zone, source in zones:
            loc = zone_location(zone, base.name, self.profile, source) or base
            if loc not in found:
                found.append(loc)
        return found or [base]

    def _zones(
        self, resource: Any, props: Mapping[str, Any], spec: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        zones: list[tuple[str, str]] = []
        for path in spec.get("zone", ()):
            for value in get_path(props, path):
                if is_unknown(value) and not self.related(resource, path.split(".")[0]):
                    continue  # computed (the program did not set it): the cloud picks a zone of the region
                if is_unknown(value):
                    raise Undecided(f"{resource.name}: {path}")
                zones.append((str(value), f"its {path} input"))
        if zones:
            return zones
        for prop in spec.get("subnets", ()):
            for subnet in self.related(resource, prop, inventory.AWS_SUBNET):
                zones.extend(self._subnet_zone(subnet))
        return zones

    def _subnet_zone(self, subnet: Any) -> list[tuple[str, str]]:
        sprops = self.props(subnet)
        for key in ("availabilityZone", "availabilityZoneId"):
            value = sprops.get(key)
            if is_unknown(value):
                raise Undecided(f"subnet {subnet.name}: {key}")
            if value:
                return [(str(value), f"subnet {subnet.name}")]
        return []

    def _asgs(self, template: Any) -> list[Any]:
        if self._asgs_of_template is None:
            index: dict[str, list[Any]] = {}
            for asg in self.of_type(inventory.AWS_AUTOSCALING_GROUP):
                for prop in ("launchTemplate", "mixedInstancesPolicy"):
                    for dep in self.related(asg, prop, "aws:ec2/launchTemplate:LaunchTemplate"):
                        index.setdefault(dep.urn, []).append(asg)
            self._asgs_of_template = index
        return self._asgs_of_template.get(template.urn, [])

    def _asg_zones(self, asg: Any) -> list[tuple[str, str]]:
        props = self.props(asg)
        zones: list[tuple[str, str]] = []
        azs = props.get("availabilityZones")
        subnets = self.related(asg, "vpcZoneIdentifiers", inventory.AWS_SUBNET)
        if is_unknown(azs) and (subnets or props.get("vpcZoneIdentifiers")):
            # Computed from the subnets when vpc_zone_identifiers is set (the two conflict):
            # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/autoscaling_group
            azs = None
        elif is_unknown(azs):
            raise Undecided(f"Auto Scaling group {asg.name}: availabilityZones")
        for az in azs or []:
            if is_unknown(az):
                raise Undecided(f"Auto Scaling group {asg.name}: availabilityZones")
            zones.append((str(az), f"Auto Scaling group {asg.name}"))
        for subnet in subnets:
            zones.extend(
                (z, f"{src} of Auto Scaling group {asg.name}") for z, src in self._subnet_zone(subnet)
            )
        return zones

    def _azure_location(self, resource: Any) -> Location | None:
        props = self.props(resource)
        value = props.get("location")
        if is_unknown(value) and not self.related(resource, "location"):
            value = None  # computed (the program did not set it): the resource group's, else the provider's
        if is_unknown(value):
            for dep in self.related(resource, "location"):
                dep_value = self.props(dep).get("location")
                if isinstance(dep_value, str) and not is_unknown(dep_value) and dep_value:
                    return Location(
                        normalize_azure_location(dep_value), "azure", source=f"{dep.name}'s location"
                    )
            raise Undecided(f"{resource.name}: location")
        if value:
            return Location(normalize_azure_location(str(value)), "azure", source="its location input")
        groups = self.related(resource, "resourceGroupName", inventory.AZURE_RESOURCE_GROUP)
        if not groups:
            name = props.get("resourceGroupName")
            groups = [
                g
                for g in self.of_type(inventory.AZURE_RESOURCE_GROUP)
                if isinstance(name, str) and self.props(g).get("resourceGroupName") == name
            ]
        for group in groups:
            gvalue = self.props(group).get("location")
            if is_unknown(gvalue):
                raise Undecided(f"resource group {group.name}: location")
            if gvalue:
                return Location(
                    normalize_azure_location(str(gvalue)), "azure", source=f"resource group {group.name}"
                )
        pvalue = provider_value(resource.provider, "location")
        if is_unknown(pvalue):
            raise Undecided(f"the location of {provider_label(resource.provider)}")
        if pvalue:
            return Location(
                normalize_azure_location(str(pvalue)), "azure", source=provider_label(resource.provider)
            )
        return None

    def is_store(self, resource: Any) -> dict[str, Any] | None:
        """The inventory entry of a data store (``None`` for other resources, and volume-less templates)."""
        spec = self.profile.data_store(resource.resource_type)
        if spec is None or not defines_volumes(spec, self.props(resource)):
            return None
        return spec
