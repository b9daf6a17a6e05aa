"""Cloud Adoption Framework names: abbreviations and each resource's length and character rules, as data.

Names are ``<abbr>-<prefix>-<workload>-<location code>`` (CAF order: resource type, workload,
region). Globally unique names (storage accounts, Key Vaults, whose names purge protection holds
for up to 90 days) end with ``stable_hash(subscription id)``: deterministic, never random.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from components.common import stable_hash


class Kind(StrEnum):
    """Resource kinds Kasbah names."""

    RESOURCE_GROUP = "resource-group"
    VIRTUAL_NETWORK = "virtual-network"
    SUBNET = "subnet"
    NSG = "network-security-group"
    ROUTE_TABLE = "route-table"
    PEERING = "peering"
    FIREWALL = "firewall"
    FIREWALL_POLICY = "firewall-policy"
    BASTION = "bastion"
    PUBLIC_IP = "public-ip"
    VPN_GATEWAY = "vpn-gateway"
    DDOS_PLAN = "ddos-plan"
    DNS_RESOLVER = "dns-resolver"
    DNS_INBOUND = "dns-inbound-endpoint"
    DNS_OUTBOUND = "dns-outbound-endpoint"
    NETWORK_WATCHER = "network-watcher"
    FLOW_LOG = "flow-log"
    LOG_ANALYTICS = "log-analytics"
    DATA_COLLECTION_RULE = "data-collection-rule"
    ACTION_GROUP = "action-group"
    AUTOMATION = "automation-account"
    KEY_VAULT = "key-vault"
    STORAGE_ACCOUNT = "storage-account"
    PRIVATE_ENDPOINT = "private-endpoint"
    RECOVERY_VAULT = "recovery-services-vault"
    BACKUP_POLICY = "backup-policy"
    BUDGET = "budget"
    SUBSCRIPTION_ALIAS = "subscription-alias"
    MANAGED_IDENTITY = "managed-identity"


@dataclass(frozen=True)
class NameRule:
    """One resource kind's CAF abbreviation and Azure naming rule."""

    abbr: str
    min_len: int
    max_len: int
    pattern: str
    """Regular expression the whole name must match."""
    separator: str = "-"
    """``""`` for kinds that forbid hyphens (storage accounts)."""
    lowercase: bool = False
    globally_unique: bool = False


_ALNUM_HYPHEN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$"
_GENERIC_80 = r"^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$"

NAME_RULES: dict[Kind, NameRule] = {
    Kind.RESOURCE_GROUP: NameRule("rg", 1, 90, r"^[A-Za-z0-9_().-]*[A-Za-z0-9_()-]$"),
    Kind.VIRTUAL_NETWORK: NameRule("vnet", 2, 64, _ALNUM_HYPHEN),
    Kind.SUBNET: NameRule("snet", 1, 80, _GENERIC_80),
    Kind.NSG: NameRule("nsg", 1, 80, _GENERIC_80),
    Kind.ROUTE_TABLE: NameRule("rt", 1, 80, _GENERIC_80),
    Kind.PEERING: NameRule("peer", 1, 80, _GENERIC_80),
    Kind.FIREWALL: NameRule("afw", 1, 56, _GENERIC_80),
    Kind.FIREWALL_POLICY: NameRule("afwp", 1, 80, _GENERIC_80),
    Kind.BASTION: NameRule("bas", 1, 80, _GENERIC_80),
    Kind.PUBLIC_IP: NameRule("pip", 1, 80, _GENERIC_80),
    Kind.VPN_GATEWAY: NameRule("vpng", 1, 80, _GENERIC_80),
    Kind.DDOS_PLAN: NameRule("ddos", 1, 80, _GENERIC_80),
    Kind.DNS_RESOLVER: NameRule("dnspr", 1, 80, _GENERIC_80),
    Kind.DNS_INBOUND: NameRule("in", 1, 80, _GENERIC_80),
    Kind.DNS_OUTBOUND: NameRule("out", 1, 80, _GENERIC_80),
    Kind.NETWORK_WATCHER: NameRule("nw", 1, 80, _GENERIC_80),
    Kind.FLOW_LOG: NameRule("fl", 1, 80, _GENERIC_80),
    Kind.LOG_ANALYTICS: NameRule("log", 4, 63, r"^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$"),
    Kind.DATA_COLLECTION_RULE: NameRule("dcr", 3, 64, r"^[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9_]$"),
    Kind.ACTION_GROUP: NameRule("ag", 1, 260, r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
    Kind.AUTOMATION: NameRule("aa", 6, 50, r"^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$"),
    Kind.KEY_VAULT: NameRule(
        "kv", 3, 24, r"^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$", lowercase=True, globally_unique=True
    ),
    Kind.STORAGE_ACCOUNT: NameRule(
        "st", 3, 24, r"^[a-z0-9]+$", separator="", lowercase=True, globally_unique=True
    ),
    Kind.PRIVATE_ENDPOINT: NameRule("pep", 2, 64, _GENERIC_80),
    Kind.RECOVERY_VAULT: NameRule("rsv", 2, 50, r"^[A-Za-z][A-Za-z0-9-]*$"),
    Kind.BACKUP_POLICY: NameRule("bkpol", 3, 150, r"^[A-Za-z][A-Za-z0-9-]*$"),
    Kind.BUDGET: NameRule("budget", 1, 63, r"^[A-Za-z0-9_-]+$"),
    Kind.SUBSCRIPTION_ALIAS: NameRule("sub", 1, 63, r"^[A-Za-z0-9_-]+$"),
    Kind.MANAGED_IDENTITY: NameRule("id", 3, 128, r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
}
"""Every kind's abbreviation (CAF) and naming rule (Azure's documented limits)."""

LOCATION_CODES: dict[str, str] = {
    "francecentral": "frc",
    "francesouth": "frs",
    "spaincentral": "spc",
    "westeurope": "weu",
    "northeurope": "neu",
    "germanywestcentral": "gwc",
    "italynorth": "itn",
    "switzerlandnorth": "szn",
}
"""Short location codes used in names; unknown locations use their full name."""

HASH_LENGTH = 6
"""Length of the stable hash appended to globally unique names."""


def location_code(location: str) -> str:
    """The short code of a location (``francecentral`` -> ``frc``)."""
    return LOCATION_CODES.get(location, location)


def _clean(part: str, rule: NameRule) -> str:
    text = part.lower() if rule.lowercase else part
    if rule.separator == "":
        return re.sub(r"[^a-z0-9]", "", text.lower())
    text = re.sub(r"[^A-Za-z0-9-]", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def resource_name(
    kind: Kind,
    prefix: str,
    *parts: str,
    location: str | None = None,
    unique_by: str | None = None,
) -> str:
    """The CAF name of a ``kind`` resource: ``<abbr>-<prefix>-<parts>-<location code>[-<hash>]``.

    ``unique_by`` (the subscription id) is required for globally unique kinds and
    appended as ``stable_hash(unique_by)``. The name is shortened (never the hash)
    to the kind's maximum length and checked against its rule.
    """
    rule = NAME_RULES[kind]
    if rule.globally_unique and not unique_by:
        raise ValueError(f"{kind.value} names are globally unique: pass unique_by (the subscription id)")
    sep = rule.separator
    pieces = [rule.abbr, prefix, *parts]
    if location:
        pieces.append(location_code(location))
    body = sep.join(p for p in (_clean(x, rule) for x in pieces) if p)
    suffix = f"{sep}{stable_hash(unique_by)[:HASH_LENGTH]}" if unique_by and rule.globally_unique else ""
    room = rule.max_len - len(suffix)
    body = body[:room].rstrip("-._")
    name = body + suffix
    if not (rule.min_len <= len(name) <= rule.max_len) or not re.match(rule.pattern, name):
        raise ValueError(f"generated {kind.value} name {name!r} breaks Azure's naming rule {rule.pattern}")
    return name


def management_group_id(root_id: str, role: str) -> str:
    """The id of an ALZ management group under the intermediate root (``kbh`` + ``corp`` -> ``kbh-corp``)."""
    return root_id if not role else f"{root_id}-{role}"
