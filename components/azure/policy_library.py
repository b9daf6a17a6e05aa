"""The ALZ policy baseline kept as data: definitions, initiatives, assignments, exemptions.

Every assignment is switchable one by one from configuration (``enabled`` and
``enforce``), carries a non-compliance message, and is reviewable in a preview:
the rules are plain data here, not fetched from a library at deploy time.
Definitions and initiatives are created at the intermediate root management
group; assignments at the group named by their ``scope``. Modify and
DeployIfNotExists definitions list the roles remediation needs
(``roleDefinitionIds``); their assignments get a system-assigned identity and
exactly those role assignments.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from components.azure.validation import validate_expiry
from components.common import CLASSIFICATION_TAG, DataClassification
from components.errors import ConfigError

ROLE_IDS: dict[str, str] = {
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Tag Contributor": "4a9ae827-6dc8-4573-8ac7-8021a8bf6b8d",
    "Log Analytics Contributor": "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Security Admin": "fb1c8493-542b-48eb-b624-b4c8fea62acd",
}
"""Built-in Azure role definition GUIDs used by remediation identities."""


def role_definition_id(role: str) -> str:
    """The tenant-level id of a built-in role (usable at any scope)."""
    return f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE_IDS[role]}"


class Group(StrEnum):
    """The ALZ management groups, by the suffix of their id under the intermediate root."""

    ROOT = ""
    PLATFORM = "platform"
    MANAGEMENT = "management"
    CONNECTIVITY = "connectivity"
    IDENTITY = "identity"
    SECURITY = "security"
    LANDING_ZONES = "landingzones"
    CORP = "corp"
    ONLINE = "online"
    SANDBOX = "sandbox"
    DECOMMISSIONED = "decommissioned"


HIERARCHY: dict[Group, tuple[Group | None, str]] = {
    Group.ROOT: (None, "{prefix} root"),
    Group.PLATFORM: (Group.ROOT, "Platform"),
    Group.MANAGEMENT: (Group.PLATFORM, "Management"),
    Group.CONNECTIVITY: (Group.PLATFORM, "Connectivity"),
    Group.IDENTITY: (Group.PLATFORM, "Identity"),
    Group.SECURITY: (Group.PLATFORM, "Security"),
    Group.LANDING_ZONES: (Group.ROOT, "Landing Zones"),
    Group.CORP: (Group.LANDING_ZONES, "Corp"),
    Group.ONLINE: (Group.LANDING_ZONES, "Online"),
    Group.SANDBOX: (Group.ROOT, "Sandbox"),
    Group.DECOMMISSIONED: (Group.ROOT, "Decommissioned"),
}
"""Parent and display name of each group (parents listed before children)."""


class Effect(StrEnum):
    DENY = "Deny"
    AUDIT = "Audit"
    MODIFY = "Modify"
    DEPLOY_IF_NOT_EXISTS = "DeployIfNotExists"
    AUDIT_IF_NOT_EXISTS = "AuditIfNotExists"
    DISABLED = "Disabled"


@dataclass(frozen=True)
class Definition:
    """A custom policy definition (created at the intermediate root)."""

    name: str
    display_name: str
    description: str
    category: str
    mode: str
    rule: Mapping[str, Any]
    parameters: Mapping[str, Mapping[str, Any]]
    effect: Effect
    allowed_effects: tuple[Effect, ...]
    roles: tuple[str, ...] = ()
    """Roles (names of :data:`ROLE_IDS`) remediation needs; non-empty for Modify/DeployIfNotExists."""

    @property
    def needs_identity(self) -> bool:
        return self.effect in (Effect.MODIFY, Effect.DEPLOY_IF_NOT_EXISTS)


@dataclass(frozen=True)
class Member:
    """One definition inside an initiative, with the parameter values it gets."""

    reference_id: str
    definition: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Initiative:
    """A custom policy set definition (initiative)."""

    name: str
    display_name: str
    description: str
    category: str
    members: tuple[Member, ...]
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """A policy assignment: what is assigned where, with which parameters and message."""

    key: str
    """Stable id, the key of ``kasbah:policies`` and of exemptions."""
    name: str
    """Azure name (at most 24 characters at management-group scope)."""
    scope: Group
    target: str
    """A definition or initiative name."""
    display_name: str
    message: str
    """Non-compliance message shown when a resource is denied or reported."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Values; strings ``{locations}``, ``{workspace}`` and ``{location}`` are filled in from settings."""


def _effect_param(default: Effect, allowed: Sequence[Effect]) -> dict[str, Any]:
    return {
        "type": "String",
        "defaultValue": default.value,
        "allowedValues": [e.value for e in allowed],
        "metadata": {"displayName": "Effect"},
    }


_DENY_AUDIT = (Effect.DENY, Effect.AUDIT, Effect.DISABLED)
_THEN = {"effect": "[parameters('effect')]"}


def _deny_def(
    name: str,
    display: str,
    description: str,
    category: str,
    cond: Mapping[str, Any],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    mode: str = "All",
) -> Definition:
    return Definition(
        name=name,
        display_name=display,
        description=description,
        category=category,
        mode=mode,
        rule={"if": cond, "then": _THEN},
        parameters={**(params or {}), "effect": _effect_param(Effect.DENY, _DENY_AUDIT)},
        effect=Effect.DENY,
        allowed_effects=_DENY_AUDIT,
    )


_TAG_FIELD = "[concat('tags[', parameters('tagName'), ']')]"
_NSG_RULE = "Microsoft.Network/networkSecurityGroups/securityRules"
_NSG_RULES_ALL = "Microsoft.Network/networkSecurityGroups/securityRules[*]"
_INTERNET_SOURCES = ["*", "Internet", "0.0.0.0/0", "any"]

_HYBRID_TYPES = [
    "Microsoft.Network/expressRouteCircuits",
    "Microsoft.Network/expressRouteGateways",
    "Microsoft.Network/expressRoutePorts",
    "Microsoft.Network/virtualWans",
    "Microsoft.Network/virtualHubs",
    "Microsoft.Network/vpnGateways",
    "Microsoft.Network/p2sVpnGateways",
    "Microsoft.Network/vpnSites",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/localNetworkGateways",
]

DIAGNOSTIC_RESOURCE_TYPES: tuple[str, ...] = (
    "Microsoft.Network/azureFirewalls",
    "Microsoft.Network/bastionHosts",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.RecoveryServices/vaults",
    "Microsoft.Automation/automationAccounts",
)
"""Resource types whose diagnostic settings the DeployIfNotExists policy sends to Log Analytics."""

DEFENDER_PLANS: tuple[str, ...] = (
    "VirtualMachines",
    "StorageAccounts",
    "KeyVaults",
    "Arm",
    "SqlServers",
    "Containers",
    "CloudPosture",
)
"""Defender for Cloud plans set to Standard on every subscription."""


def _definitions() -> tuple[Definition, ...]:
    locations_param = {
        "listOfAllowedLocations": {
            "type": "Array",
            "metadata": {"displayName": "Allowed locations", "strongType": "location"},
        }
    }
    tag_params: dict[str, dict[str, Any]] = {
        "tagName": {"type": "String", "defaultValue": CLASSIFICATION_TAG},
        "allowedValues": {"type": "Array", "defaultValue": [c.value for c in DataClassification]},
    }
    modify_effects = (Effect.MODIFY, Effect.DISABLED)
    dine_effects = (Effect.DEPLOY_IF_NOT_EXISTS, Effect.AUDIT_IF_NOT_EXISTS, Effect.DISABLED)
    port_in = {
        "anyOf": [
            {"field": f"{_NSG_RULE}/destinationPortRange", "in": "[parameters('ports')]"},
            {"field": f"{_NSG_RULE}/destinationPortRange", "equals": "*"},
            {
                "count": {
                    "field": f"{_NSG_RULE}/destinationPortRanges[*]",
                    "where": {"value": "[current()]", "in": "[parameters('ports')]"},
                },
                "greater": 0,
            },
        ]
    }
    mgmt_ports = {
        "anyOf": [
            {
                "allOf": [
                    {"field": "type", "equals": _NSG_RULE},
                    {"field": f"{_NSG_RULE}/access", "equals": "Allow"},
                    {"field": f"{_NSG_RULE}/direction", "equals": "Inbound"},
                    {"field": f"{_NSG_RULE}/sourceAddressPrefix", "in": _INTERNET_SOURCES},
                    port_in,
                ]
            },
            {
                "allOf": [
                    {"field": "type", "equals": "Microsoft.Network/networkSecurityGroups"},
                    {
                        "count": {
                            "field": _NSG_RULES_ALL,
                            "where": {
                                "allOf": [
                                    {"field": f"{_NSG_RULES_ALL}.access", "equals": "Allow"},
                                    {"field": f"{_NSG_RULES_ALL}.direction", "equals": "Inbound"},
                                    {
                                        "field": f"{_NSG_RULES_ALL}.sourceAddressPrefix",
                                        "in": _INTERNET_SOURCES,
                                    },
                                    {
                                        "anyOf": [
                                            {
                                                "field": f"{_NSG_RULES_ALL}.destinationPortRange",
                                                "in": "[parameters('ports')]",
                                            },
                                            {
                                                "field": f"{_NSG_RULES_ALL}.destinationPortRange",
                                                "equals": "*",
                                            },
                                        ]
                                    },
                                ]
                            },
                        },
                        "greater": 0,
                    },
                ]
            },
        ]
    }
    subnet = "Microsoft.Network/virtualNetworks/subnets"
    no_nsg = {
        "anyOf": [
            {
                "allOf": [
                    {"field": "type", "equals": subnet},
                    {"field": "name", "notIn": "[parameters('excludedSubnets')]"},
                    {"field": f"{subnet}/networkSecurityGroup.id", "exists": "false"},
                ]
            },
            {
                "allOf": [
                    {"field": "type", "equals": "Microsoft.Network/virtualNetworks"},
                    {
                        "count": {
                            "field": "Microsoft.Network/virtualNetworks/subnets[*]",
                            "where": {
                                "allOf": [
                                    {
                                        "field": "Microsoft.Network/virtualNetworks/subnets[*].name",
                                        "notIn": "[parameters('excludedSubnets')]",
                                    },
                                    {
                                        "field": "Microsoft.Network/virtualNetworks/subnets[*].networkSecurityGroup.id",
                                        "exists": "false",
                                    },
                                ]
                            },
                        },
                        "greater": 0,
                    },
                ]
            },
        ]
    }
    st = "Microsoft.Storage/storageAccounts"
    diag_template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "resourceId": {"type": "string"},
            "logAnalytics": {"type": "string"},
            "settingName": {"type": "string"},
        },
        "resources": [
            {
                "type": "Microsoft.Insights/diagnosticSettings",
                "apiVersion": "2021-05-01-preview",
                "name": "[parameters('settingName')]",
                "scope": "[parameters('resourceId')]",
                "properties": {
                    "workspaceId": "[parameters('logAnalytics')]",
                    "logs": [{"categoryGroup": "allLogs", "enabled": True}],
                    "metrics": [{"category": "AllMetrics", "enabled": True}],
                },
            }
        ],
    }
    defender_template = {
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"planName": {"type": "string"}},
        "resources": [
            {
                "type": "Microsoft.Security/pricings",
                "apiVersion": "2024-01-01",
                "name": "[parameters('planName')]",
                "properties": {"pricingTier": "Standard"},
            }
        ],
    }
    return (
        _deny_def(
            "kbh-allowed-locations",
            "Allowed locations (residency profile)",
            "Resources may only be created in the approved locations of the residency profile.",
            "General",
            {
                "allOf": [
                    {"field": "location", "notIn": "[parameters('listOfAllowedLocations')]"},
                    {"field": "location", "notEquals": "global"},
                    {"field": "type", "notEquals": "Microsoft.AzureActiveDirectory/b2cDirectories"},
                ]
            },
            locations_param,
            mode="Indexed",
        ),
        _deny_def(
            "kbh-allowed-locations-rg",
            "Allowed locations for resource groups (residency profile)",
            "Resource groups may only be created in the approved locations of the residency profile.",
            "General",
            {
                "allOf": [
                    {"field": "type", "equals": "Microsoft.Resources/subscriptions/resourceGroups"},
                    {"field": "location", "notIn": "[parameters('listOfAllowedLocations')]"},
                ]
            },
            locations_param,
        ),
        _deny_def(
            "kbh-require-tag-rg",
            "Require the data-classification tag on resource groups",
            "Resource groups must carry the data-classification tag with one of the residency profile's classes.",
            "Tags",
            {
                "allOf": [
                    {"field": "type", "equals": "Microsoft.Resources/subscriptions/resourceGroups"},
                    {
                        "anyOf": [
                            {"field": _TAG_FIELD, "exists": "false"},
                            {"field": _TAG_FIELD, "notIn": "[parameters('allowedValues')]"},
                        ]
                    },
                ]
            },
            tag_params,
        ),
        Definition(
            name="kbh-inherit-tag-rg",
            display_name="Inherit the data-classification tag from the resource group",
            description="Adds the resource group's data-classification tag to resources that lack it "
            "(tags it adds are expected, not drift).",
            category="Tags",
            mode="Indexed",
            rule={
                "if": {
                    "allOf": [
                        {"field": _TAG_FIELD, "exists": "false"},
                        {"value": "[resourceGroup().tags[parameters('tagName')]]", "notEquals": ""},
                    ]
                },
                "then": {
                    "effect": "[parameters('effect')]",
                    "details": {
                        "roleDefinitionIds": [role_definition_id("Tag Contributor")],
                        "operations": [
                            {
                                "operation": "add",
                                "field": _TAG_FIELD,
                                "value": "[resourceGroup().tags[parameters('tagName')]]",
                            }
                        ],
                    },
                },
            },
            parameters={
                "tagName": {"type": "String", "defaultValue": CLASSIFICATION_TAG},
                "effect": _effect_param(Effect.MODIFY, modify_effects),
            },
            effect=Effect.MODIFY,
            allowed_effects=modify_effects,
            roles=("Tag Contributor",),
        ),
        _deny_def(
            "kbh-deny-public-ip",
            "Deny public IP addresses",
            "Public IP addresses may not be created (private-only landing zones).",
            "Network",
            {"field": "type", "equals": "Microsoft.Network/publicIPAddresses"},
        ),
        _deny_def(
            "kbh-deny-mgmt-ports-internet",
            "Deny management ports from the internet",
            "NSG rules may not allow inbound management ports (SSH, RDP) from the internet.",
            "Network",
            mgmt_ports,
            {"ports": {"type": "Array", "defaultValue": ["22", "3389"]}},
        ),
        _deny_def(
            "kbh-deny-subnet-without-nsg",
            "Deny subnets without a network security group",
            "Every subnet must have an NSG, except the subnets on which Azure forbids or does not support one.",
            "Network",
            no_nsg,
            {
                "excludedSubnets": {
                    "type": "Array",
                    "defaultValue": [
                        "AzureFirewallSubnet",
                        "AzureFirewallManagementSubnet",
                        "GatewaySubnet",
                        "RouteServerSubnet",
                    ],
                }
            },
        ),
        _deny_def(
            "kbh-storage-https-only",
            "Storage accounts accept HTTPS only",
            "Storage accounts must refuse plain HTTP.",
            "Storage",
            {
                "allOf": [
                    {"field": "type", "equals": st},
                    {"field": f"{st}/supportsHttpsTrafficOnly", "equals": "false"},
                ]
            },
        ),
        _deny_def(
            "kbh-storage-min-tls",
            "Storage accounts require TLS 1.2 or later",
            "Storage accounts must refuse TLS versions older than 1.2.",
            "Storage",
            {
                "allOf": [
                    {"field": "type", "equals": st},
                    {"field": f"{st}/minimumTlsVersion", "notIn": ["TLS1_2", "TLS1_3"]},
                ]
            },
        ),
        _deny_def(
            "kbh-storage-no-public-blob",
            "Storage accounts forbid public blob access",
            "Storage accounts may not allow anonymous public access to blobs.",
            "Storage",
            {
                "allOf": [
                    {"field": "type", "equals": st},
                    {"field": f"{st}/allowBlobPublicAccess", "equals": "true"},
                ]
            },
        ),
        _deny_def(
            "kbh-keyvault-purge-protection",
            "Key Vaults have purge protection",
            "Key Vaults must have purge protection so deleted keys and secrets cannot be purged.",
            "Key Vault",
            {
                "allOf": [
                    {"field": "type", "equals": "Microsoft.KeyVault/vaults"},
                    {
                        "anyOf": [
                            {"field": "Microsoft.KeyVault/vaults/enablePurgeProtection", "exists": "false"},
                            {"field": "Microsoft.KeyVault/vaults/enablePurgeProtection", "equals": "false"},
                        ]
                    },
                ]
            },
            mode="Indexed",
        ),
        Definition(
            name="kbh-deploy-defender-plan",
            display_name="Deploy a Defender for Cloud plan",
            description="Sets a Defender for Cloud plan to Standard on every subscription.",
            category="Security Center",
            mode="All",
            rule={
                "if": {"field": "type", "equals": "Microsoft.Resources/subscriptions"},
                "then": {
                    "effect": "[parameters('effect')]",
                    "details": {
                        "type": "Microsoft.Security/pricings",
                        "name": "[parameters('planName')]",
                        "deploymentScope": "subscription",
                        "existenceScope": "subscription",
                        "roleDefinitionIds": [role_definition_id("Security Admin")],
                        "existenceCondition": {
                            "field": "Microsoft.Security/pricings/pricingTier",
                            "equals": "Standard",
                        },
                        "deployment": {
                            "location": "[parameters('deploymentLocation')]",
                            "properties": {
                                "mode": "incremental",
                                "template": defender_template,
                                "parameters": {"planName": {"value": "[parameters('planName')]"}},
                            },
                        },
                    },
                },
            },
            parameters={
                "planName": {"type": "String"},
                "deploymentLocation": {"type": "String"},
                "effect": _effect_param(Effect.DEPLOY_IF_NOT_EXISTS, dine_effects),
            },
            effect=Effect.DEPLOY_IF_NOT_EXISTS,
            allowed_effects=dine_effects,
            roles=("Security Admin",),
        ),
        Definition(
            name="kbh-deploy-diagnostics-law",
            display_name="Deploy diagnostic settings to Log Analytics",
            description="Sends the logs and metrics of the listed resource types to the platform Log Analytics workspace.",
            category="Monitoring",
            mode="Indexed",
            rule={
                "if": {"field": "type", "in": "[parameters('resourceTypes')]"},
                "then": {
                    "effect": "[parameters('effect')]",
                    "details": {
                        "type": "Microsoft.Insights/diagnosticSettings",
                        "name": "[parameters('settingName')]",
                        "roleDefinitionIds": [
                            role_definition_id("Log Analytics Contributor"),
                            role_definition_id("Monitoring Contributor"),
                        ],
                        "existenceCondition": {
                            "field": "Microsoft.Insights/diagnosticSettings/workspaceId",
                            "equals": "[parameters('logAnalytics')]",
                        },
                        "deployment": {
                            "properties": {
                                "mode": "incremental",
                                "template": diag_template,
                                "parameters": {
                                    "resourceId": {"value": "[field('id')]"},
                                    "logAnalytics": {"value": "[parameters('logAnalytics')]"},
                                    "settingName": {"value": "[parameters('settingName')]"},
                                },
                            }
                        },
                    },
                },
            },
            parameters={
                "resourceTypes": {"type": "Array"},
                "logAnalytics": {"type": "String", "metadata": {"strongType": "omsWorkspace"}},
                "settingName": {"type": "String", "defaultValue": "to-log-analytics"},
                "effect": _effect_param(Effect.DEPLOY_IF_NOT_EXISTS, dine_effects),
            },
            effect=Effect.DEPLOY_IF_NOT_EXISTS,
            allowed_effects=dine_effects,
            roles=("Log Analytics Contributor", "Monitoring Contributor"),
        ),
        _deny_def(
            "kbh-deny-resource-types",
            "Deny resource types",
            "The listed resource types may not be created.",
            "General",
            {"field": "type", "in": "[parameters('listOfResourceTypesNotAllowed')]"},
            {"listOfResourceTypesNotAllowed": {"type": "Array"}},
        ),
        _deny_def(
            "kbh-deny-all-but-delete",
            "Deny every change but deletion",
            "No resource may be created or updated; deletion stays possible (Deny does not apply to deletes).",
            "General",
            {"field": "type", "like": "*"},
        ),
    )


def _initiatives() -> tuple[Initiative, ...]:
    return (
        Initiative(
            name="kbh-storage-baseline",
            display_name="Storage baseline",
            description="HTTPS only, TLS 1.2 or later, no public blob access.",
            category="Storage",
            members=(
                Member("https-only", "kbh-storage-https-only"),
                Member("min-tls", "kbh-storage-min-tls"),
                Member("no-public-blob", "kbh-storage-no-public-blob"),
            ),
        ),
        Initiative(
            name="kbh-defender-plans",
            display_name="Defender for Cloud plans",
            description="Defender for Cloud plans set to Standard on every subscription.",
            category="Security Center",
            members=tuple(
                Member(
                    f"defender-{p.lower()}",
                    "kbh-deploy-defender-plan",
                    {"planName": p, "deploymentLocation": "[parameters('deploymentLocation')]"},
                )
                for p in DEFENDER_PLANS
            ),
            parameters={"deploymentLocation": {"type": "String"}},
        ),
    )


DEFINITIONS: tuple[Definition, ...] = _definitions()
INITIATIVES: tuple[Initiative, ...] = _initiatives()

ASSIGNMENTS: tuple[Assignment, ...] = (
    Assignment(
        "allowed-locations",
        "kbh-allowed-locs",
        Group.ROOT,
        "kbh-allowed-locations",
        "Allowed locations",
        "Resources must be deployed to an approved location of the residency profile (Law 09-08 art. 43: "
        "transfers outside Morocco must be declared to the CNDP).",
        {"listOfAllowedLocations": "{locations}"},
    ),
    Assignment(
        "allowed-locations-rg",
        "kbh-allowed-locs-rg",
        Group.ROOT,
        "kbh-allowed-locations-rg",
        "Allowed locations for resource groups",
        "Resource groups must be created in an approved location of the residency profile.",
        {"listOfAllowedLocations": "{locations}"},
    ),
    Assignment(
        "require-classification-tag",
        "kbh-require-class-tag",
        Group.ROOT,
        "kbh-require-tag-rg",
        "Require the data-classification tag on resource groups",
        "Resource groups must carry data-classification = public | internal | personal | sensitive.",
    ),
    Assignment(
        "inherit-classification-tag",
        "kbh-inherit-class-tag",
        Group.ROOT,
        "kbh-inherit-tag-rg",
        "Inherit the data-classification tag from the resource group",
        "Resources inherit their resource group's data-classification tag.",
    ),
    Assignment(
        "deny-public-ip-corp",
        "kbh-deny-pip-corp",
        Group.CORP,
        "kbh-deny-public-ip",
        "Deny public IPs in Corp",
        "Corp landing zones are private: publish through the hub, not a public IP.",
    ),
    Assignment(
        "deny-public-ip-identity",
        "kbh-deny-pip-identity",
        Group.IDENTITY,
        "kbh-deny-public-ip",
        "Deny public IPs in Identity",
        "Identity subscriptions are private: no public IP addresses.",
    ),
    Assignment(
        "deny-mgmt-ports-internet",
        "kbh-deny-mgmt-ports",
        Group.ROOT,
        "kbh-deny-mgmt-ports-internet",
        "Deny management ports from the internet",
        "SSH and RDP may not be opened to the internet: use Azure Bastion.",
    ),
    Assignment(
        "deny-subnet-without-nsg",
        "kbh-deny-snet-no-nsg",
        Group.ROOT,
        "kbh-deny-subnet-without-nsg",
        "Deny subnets without an NSG",
        "Every subnet needs a network security group.",
    ),
    Assignment(
        "storage-baseline",
        "kbh-storage-baseline",
        Group.ROOT,
        "kbh-storage-baseline",
        "Storage baseline",
        "Storage accounts must use HTTPS only, TLS 1.2 or later and no public blob access.",
    ),
    Assignment(
        "keyvault-purge-protection",
        "kbh-kv-purge-protect",
        Group.ROOT,
        "kbh-keyvault-purge-protection",
        "Key Vault purge protection",
        "Key Vaults must have purge protection enabled.",
    ),
    Assignment(
        "defender-plans",
        "kbh-defender-plans",
        Group.ROOT,
        "kbh-defender-plans",
        "Defender for Cloud plans",
        "Defender for Cloud plans must be Standard on every subscription.",
        {"deploymentLocation": "{location}"},
    ),
    Assignment(
        "diagnostics-to-log-analytics",
        "kbh-diag-to-law",
        Group.ROOT,
        "kbh-deploy-diagnostics-law",
        "Diagnostic settings to Log Analytics",
        "Platform resources must send their logs and metrics to the platform Log Analytics workspace.",
        {"resourceTypes": list(DIAGNOSTIC_RESOURCE_TYPES), "logAnalytics": "{workspace}"},
    ),
    Assignment(
        "deny-hybrid-networking",
        "kbh-deny-hybrid-net",
        Group.SANDBOX,
        "kbh-deny-resource-types",
        "Deny hybrid networking in Sandbox",
        "Sandbox subscriptions may not connect to the corporate network (no gateways, ExpressRoute or Virtual WAN).",
        {"listOfResourceTypesNotAllowed": _HYBRID_TYPES},
    ),
    Assignment(
        "decommissioned-deny-all",
        "kbh-decom-deny-all",
        Group.DECOMMISSIONED,
        "kbh-deny-all-but-delete",
        "Deny every change but deletion in Decommissioned",
        "This subscription is decommissioned: only deletion is allowed.",
    ),
)
"""The baseline's assignments, in deployment order."""

ASSIGNMENT_NAME_MAX = 24
"""Azure's limit on a policy assignment name at management-group scope."""


def definition(name: str) -> Definition:
    for d in DEFINITIONS:
        if d.name == name:
            return d
    raise KeyError(name)


def initiative(name: str) -> Initiative | None:
    for i in INITIATIVES:
        if i.name == name:
            return i
    return None


def target_definitions(assignment: Assignment) -> tuple[Definition, ...]:
    """The definitions an assignment applies (one, or an initiative's members)."""
    ini = initiative(assignment.target)
    if ini is None:
        return (definition(assignment.target),)
    seen: dict[str, Definition] = {}
    for m in ini.members:
        seen.setdefault(m.definition, definition(m.definition))
    return tuple(seen.values())


def assignment_roles(assignment: Assignment) -> tuple[str, ...]:
    """The roles an assignment's identity needs (union of its definitions' roles)."""
    roles: list[str] = []
    for d in target_definitions(assignment):
        roles.extend(r for r in d.roles if r not in roles)
    return tuple(roles)


def needs_identity(assignment: Assignment) -> bool:
    return any(d.needs_identity for d in target_definitions(assignment))


class Enforcement(StrEnum):
    """Policy assignment enforcement mode."""

    DEFAULT = "Default"
    DO_NOT_ENFORCE = "DoNotEnforce"


@dataclass(frozen=True)
class PolicySwitch:
    """Per-assignment configuration (``kasbah:policies.<key>``)."""

    enabled: bool = True
    """Create the assignment. Default: ``true``."""
    enforcement: Enforcement = Enforcement.DEFAULT
    """``Default`` enforces the effect; ``DoNotEnforce`` only reports. Default: ``Default``."""


class ExemptionCategory(StrEnum):
    WAIVER = "Waiver"
    MITIGATED = "Mitigated"


@dataclass(frozen=True)
class ExemptionSpec:
    """An exemption from one assignment, at a scope, for a reason, until an expiry date."""

    assignment: str
    """Key of the exempted assignment (see the baseline's assignment list). Required."""
    scope: str
    """Resource id of the exempted scope (management group, subscription, resource group or resource). Required."""
    reason: str
    """Why the exemption is needed. Required."""
    expires: str | None = None
    """Expiry date (YYYY-MM-DD). Required: an exemption without expiry is refused."""
    category: ExemptionCategory = ExemptionCategory.WAIVER
    """``Waiver`` or ``Mitigated``. Default: ``Waiver``."""


def assignment_by_key(key: str) -> Assignment:
    for a in ASSIGNMENTS:
        if a.key == key:
            return a
    raise KeyError(key)


def _unknown_key(config_key: str, value: str) -> ConfigError:
    keys = [a.key for a in ASSIGNMENTS]
    close = difflib.get_close_matches(value, keys, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(keys)}"
    return ConfigError(config_key, f"{value!r} is not a policy assignment of the baseline", hint)


def select_assignments(
    switches: Mapping[str, PolicySwitch], key: str = "kasbah:policies"
) -> list[tuple[Assignment, PolicySwitch]]:
    """The enabled assignments with their switch; ConfigError for an unknown key."""
    known = {a.key for a in ASSIGNMENTS}
    for k in switches:
        if k not in known:
            raise _unknown_key(f"{key}.{k}", k)
    out: list[tuple[Assignment, PolicySwitch]] = []
    for a in ASSIGNMENTS:
        sw = switches.get(a.key, PolicySwitch())
        if sw.enabled:
            out.append((a, sw))
    return out


@dataclass(frozen=True)
class CheckedExemption:
    spec: ExemptionSpec
    expires: dt.date


def validate_exemptions(
    exemptions: Sequence[ExemptionSpec], enabled: Sequence[str], key: str = "kasbah:exemptions"
) -> list[CheckedExemption]:
    """Every exemption names an enabled assignment, a resource-id scope, a reason and an expiry."""
    out: list[CheckedExemption] = []
    for i, ex in enumerate(exemptions):
        k = f"{key}[{i}]"
        if ex.assignment not in {a.key for a in ASSIGNMENTS}:
            raise _unknown_key(f"{k}.assignment", ex.assignment)
        if ex.assignment not in enabled:
            raise ConfigError(
                f"{k}.assignment and kasbah:policies.{ex.assignment}.enabled",
                f"exemption from {ex.assignment!r}, which is disabled",
                "remove the exemption or enable the assignment",
            )
        if not ex.scope.startswith("/"):
            raise ConfigError(
                f"{k}.scope",
                f"{ex.scope!r} is not a resource id",
                "use an id such as /subscriptions/<id>/resourceGroups/<name>",
            )
        if not ex.reason.strip():
            raise ConfigError(f"{k}.reason", "exemption has no reason", "say why the exemption is needed")
        out.append(CheckedExemption(ex, validate_expiry(f"{k}.expires", ex.expires)))
    return out


def fill(value: Any, locations: Sequence[str], workspace: Any, location: str) -> Any:
    """Replace the ``{locations}``, ``{workspace}`` and ``{location}`` placeholders of a parameter value."""
    if value == "{locations}":
        return list(locations)
    if value == "{workspace}":
        return workspace
    if value == "{location}":
        return location
    return value
