"""Relating resources and resolving their locations inside a policy (thin layer over :mod:`.profiles`).

Values come from pulumi-policy's unknown-checking proxies: ``plain`` (of
:mod:`policies.framework`) unwraps them into plain dicts and lists that keep the
unknown sentinels, so that the pure functions of :mod:`.profiles` can decide (or
raise ``Undecided``). Resources are related through property dependencies, never
through IDs (IDs are unknown during preview).

The cloud of a resource comes from its type token's package (:func:`kasbah.facts.cloud_of`):
AWS and Azure have their own resolution (zones, resource groups); any other package
(GCP, or a provider Kasbah does not know) is located only from its own ``region`` or
``location`` input, else its provider's, and never as if it were AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kasbah.facts import Cloud, cloud_of, package_of
from policies.framework import Undecided, is_unknown, plain

from . import inventory, locations
from .profiles import (
    Classification,
    Location,
    Profile,
    aws_region,
    classification_of,
    defines_volumes,
    get_path,
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
            cached = plain(resource.props)
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
        return classification_of(spec, self.props(resource))

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
