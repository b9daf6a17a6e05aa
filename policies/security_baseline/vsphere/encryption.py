"""Encryption rules for vSphere: sensitive VMs are placed on encrypted datastores by their storage policy.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from kasbah.facts import DataClassification
from policies.framework import (
    LAW_05_20,
    Reference,
    Res,
    Undecided,
    dnssi,
    each,
    get,
    items,
    meta,
    need,
    program_set,
    related,
    srule,
    stack_resources,
)
from policies.security_baseline.vsphere.classification import vm_class
from policies.security_baseline.vsphere.tokens import STORAGE_POLICY, TAG, TAG_CATEGORY, VM

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

SENSITIVE = DataClassification.SENSITIVE.value

DEFAULT_TAG = {"category": "kasbah-storage", "tag": "encrypted"}
"""The datastore tag of encrypted datastores (``components.vsphere.plan.StoragePolicyArgs``' defaults)."""

CONFIG: dict[str, Any] = {
    "encryptedDatastoreTag": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"category": {"type": "string"}, "tag": {"type": "string"}},
        "default": dict(DEFAULT_TAG),
        "description": "The datastore tag (category and name) that marks encrypted datastores.",
    },
    "encryptionStoragePolicyIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Ids of existing storage policies that encrypt (e.g. vCenter's VM Encryption Policy).",
    },
}


def _encrypting(policy: Res, category: str, tag: str) -> bool:
    for i, rule_ in enumerate(items(policy.props.get("tagRules"), "tagRules")):
        include = need(get(rule_, "includeDatastoresWithTags"), f"tagRules[{i}].includeDatastoresWithTags")
        if include is False:
            continue
        if need(get(rule_, "tagCategory"), f"tagRules[{i}].tagCategory") != category:
            continue
        names = [need(t, f"tagRules[{i}].tags[]") for t in items(get(rule_, "tags"), f"tagRules[{i}].tags")]
        if tag in names:
            return True
    return False


def _check(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    config = args.get_config() or {}
    wanted = dict(CONFIG["encryptedDatastoreTag"]["default"]) | dict(
        config.get("encryptedDatastoreTag") or {}
    )
    known_ids = {str(i) for i in config.get("encryptionStoragePolicyIds") or []}
    found = stack_resources(args, (VM, TAG, TAG_CATEGORY, STORAGE_POLICY))

    def one(vm: Res) -> None:
        if vm_class(vm, found[TAG], found[TAG_CATEGORY]) != SENSITIVE:
            return
        # An unknown storagePolicyId with no dependency was not set by the program: vSphere computes it
        # (the datastore's default policy), so it is read as unset (policies.framework.program_set).
        policy_id = program_set(vm.props, vm.deps).get("storagePolicyId")
        policies = related(vm, "storagePolicyId", found[STORAGE_POLICY])
        if policies is None and policy_id is None:
            policies = []
        if policies is None:
            raise Undecided(f"{vm.name}: storagePolicyId")
        if not policies and isinstance(policy_id, str) and policy_id in known_ids:
            return
        if any(_encrypting(p, str(wanted["category"]), str(wanted["tag"])) for p in policies):
            return
        fail(
            f"VM '{vm.name}' is tagged sensitive but its storage policy does not place it on datastores tagged "
            f"{wanted['category']}/{wanted['tag']} (encrypted): its disks may land on an unencrypted datastore.",
            vm,
        )

    each(found[VM], one)


VSPHERE_VM_SENSITIVE_ENCRYPTED = srule(
    meta(
        "vsphere-vm-sensitive-encrypted",
        HIGH,
        "VMs tagged sensitive use a storage policy that places them on encrypted datastores (tag rule), or a "
        "listed encryption storage policy.",
        "Set storage_policy_id to the landing zone's sensitive storage policy (components.vsphere), whose tag "
        "rule selects the datastores tagged encrypted, or to an encryption policy listed in "
        "encryptionStoragePolicyIds.",
        [
            dnssi("Cryptography"),
            Reference(LAW_05_20, "2020", "decree 2-21-406: sensitive data hosted on national territory"),
        ],
        config=CONFIG,
    ),
    _check,
    types=(VM, TAG, TAG_CATEGORY, STORAGE_POLICY),
)
"""terraform-provider-vsphere docs/resources/vm_storage_policy.md (tag_rules); virtual_machine.md
(storage_policy_id)."""


POLICIES: list[Policy] = [
    VSPHERE_VM_SENSITIVE_ENCRYPTED,
]
"""This domain's policies, in catalogue order."""
