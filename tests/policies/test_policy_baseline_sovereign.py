"""Pass and fail fixtures of the security-baseline policies on OpenStack and vSphere, through the engine.

The compliant program is tests/policies/sovereign_baseline_program.py. Pass: no openstack-/vsphere-
policy reports anything on it. Fail: one defect at a time, and exactly the policy under test fires, on
the mutated resource. Every reference is on its checked list (policies/framework/references).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi_openstack as openstack
import pulumi_vsphere as vsphere
import pytest
from sovereign_baseline_program import (
    DROP,
    SOVEREIGN_PREFIXES,
    Variant,
    describe,
    findings,
    preview,
    urn_of,
)

from policies.framework import metadata_of
from policies.security_baseline.rules import POLICIES

META = {m.id: m for m in metadata_of(POLICIES) if m.id.startswith(SOVEREIGN_PREFIXES)}
REFERENCES = Path(__file__).resolve().parents[2] / "policies" / "framework" / "references"


@pytest.fixture(scope="module")
def baseline() -> Any:
    return preview()


def test_the_compliant_program_raises_nothing(baseline: Any) -> None:
    got = findings(baseline)
    assert not got, f"the compliant OpenStack/vSphere program is flagged:\n{describe(got)}"
    assert len(META) >= 15, sorted(META)


@dataclass(frozen=True)
class Case:
    policy: str
    target: str
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: Any = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.policy}:{self.label or self.target}"


def _rule(name: str, **kw: Any) -> Any:
    def extra(created: dict[str, Any]) -> None:
        openstack.networking.SecGroupRule(
            name, security_group_id=created["sg"].id, direction="ingress", ethertype="IPv4", **kw
        )

    return extra


def _vm(name: str, tag: str | None, **kw: Any) -> Any:
    def extra(created: dict[str, Any]) -> None:
        tags = [created[tag].id] if tag else []
        vsphere.VirtualMachine(
            name,
            resource_pool_id="resgroup-1",
            datastore_id="datastore-1",
            num_cpus=1,
            memory=1024,
            guest_id="ubuntu64Guest",
            firmware="efi",
            efi_secure_boot_enabled=True,
            enable_logging=True,
            tags=tags,
            network_interfaces=[vsphere.VirtualMachineNetworkInterfaceArgs(network_id="dvportgroup-1")],
            disks=[vsphere.VirtualMachineDiskArgs(label="disk0", size=20)],
            **kw,
        )

    return extra


CASES = [
    # ------------------------------------------------------------------ OpenStack
    Case("openstack-volume-encrypted-type", "volume", {"volume": {"volume_type": "ssd"}}),
    Case(
        "openstack-volume-encrypted-type", "volume", {"volume": {"volume_type": DROP}}, label="default-type"
    ),
    Case("openstack-lb-listener-tls12", "listener", {"listener": {"tls_versions": ["TLSv1.1", "TLSv1.2"]}}),
    Case("openstack-image-not-public", "image", {"image": {"visibility": "public"}}),
    Case("openstack-image-not-public", "image", {"image": {"visibility": "community"}}, label="community"),
    Case("openstack-network-not-shared", "net", {"net": {"shared": True}}),
    Case("openstack-network-not-external", "net", {"net": {"external": True}}),
    Case("openstack-container-not-public", "container", {"container": {"container_read": ".r:*,.rlistings"}}),
    Case("openstack-share-not-public", "share", {"share": {"is_public": True}}),
    Case(
        "openstack-secgroup-admin-ports-open",
        "ssh-from-vpn",
        {"ssh-from-vpn": {"remote_ip_prefix": "0.0.0.0/0"}},
    ),
    Case(
        "openstack-secgroup-admin-ports-open",
        "rdp-any",
        extra=_rule("rdp-any", protocol="tcp", port_range_min=3389, port_range_max=3389),
        label="no-remote-prefix",
    ),
    Case("openstack-secgroup-all-ports-open", "all-any", extra=_rule("all-any", remote_ip_prefix="::/0")),
    Case("openstack-secgroup-deny-by-default", "sg", {"sg": {"delete_default_rules": False}}),
    Case(
        "openstack-lb-listener-no-plain-http",
        "listener",
        {
            "listener": {
                "protocol": "HTTP",
                "protocol_port": 80,
                "default_tls_container_ref": DROP,
                "tls_versions": DROP,
            }
        },
    ),
    Case("openstack-lb-listener-forwarded-for", "listener", {"listener": {"insert_headers": DROP}}),
    Case(
        "openstack-lb-certificate-in-barbican",
        "listener",
        {"listener": {"default_tls_container_ref": "http://example.invalid/cert.pem"}},
    ),
    Case(
        "openstack-key-order-strength",
        "key",
        {"key": {"meta": openstack.keymanager.OrderV1MetaArgs(algorithm="aes", bit_length=128)}},
    ),
    Case(
        "openstack-role-assignment-to-groups",
        "assignment",
        {"assignment": {"group_id": DROP, "user_id": "user-1"}},
    ),
    Case("openstack-app-credential-restricted", "app-credential", {"app-credential": {"expires_at": DROP}}),
    Case(
        "openstack-app-credential-restricted",
        "app-credential",
        {"app-credential": {"unrestricted": True}},
        label="unrestricted",
    ),
    Case("openstack-container-versioning", "container", {"container": {"versioning": False}}),
    # ------------------------------------------------------------------ vSphere
    Case("vsphere-vm-sensitive-encrypted", "vm", {"vm": {"storage_policy_id": DROP}}),
    Case(
        "vsphere-vm-sensitive-encrypted",
        "plain-policy-vm",
        extra=lambda created: _vm("plain-policy-vm", "tag-sensitive", storage_policy_id="vm-default-policy")(
            created
        ),
        label="unknown-policy",
    ),
    Case(
        "vsphere-content-library-publication-auth",
        "library",
        {
            "library": {
                "publication": vsphere.ContentLibraryPublicationArgs(
                    published=True, authentication_method="NONE"
                )
            }
        },
    ),
    Case(
        "vsphere-content-library-subscription-https",
        "library",
        {
            "library": {
                "publication": DROP,
                "subscription": vsphere.ContentLibrarySubscriptionArgs(
                    subscription_url="http://vc.example.invalid/cls/vcsp/lib/x/lib.json"
                ),
            }
        },
    ),
    Case("vsphere-portgroup-reject-promiscuous", "pg", {"pg": {"allow_promiscuous": True}}),
    Case("vsphere-portgroup-reject-forged-transmits", "pg", {"pg": {"allow_forged_transmits": True}}),
    Case("vsphere-portgroup-reject-mac-changes", "pg", {"pg": {"allow_mac_changes": True}}),
    Case("vsphere-vm-logging-enabled", "vm", {"vm": {"enable_logging": False}}),
    Case("vsphere-vm-secure-boot", "vm", {"vm": {"efi_secure_boot_enabled": False}}),
    Case(
        "vsphere-vm-secure-boot",
        "vm",
        {"vm": {"firmware": "bios", "efi_secure_boot_enabled": DROP}},
        label="bios",
    ),
    Case(
        "vsphere-permissions-to-groups",
        "permissions",
        {
            "permissions": {
                "permissions": [
                    vsphere.EntityPermissionsPermissionArgs(
                        user_or_group="EXAMPLE\\alice", is_group=False, propagate=True, role_id="-2"
                    )
                ]
            }
        },
    ),
    Case(
        "vsphere-role-no-authorization-privileges",
        "role",
        {"role": {"role_privileges": ["Authorization.ModifyPermissions", "VirtualMachine.Interact.PowerOn"]}},
    ),
]


def test_every_sovereign_policy_has_a_fail_fixture() -> None:
    missing = sorted(set(META) - {c.policy for c in CASES})
    assert not missing, f"policies without a fail fixture: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fail_fixture_fires_exactly_the_policy(case: Case) -> None:
    result = preview(Variant(overrides=case.overrides, extra=case.extra))
    target = urn_of(result, case.target)
    got = findings(result)
    assert [(v.policy, v.urn) for v in got] == [(case.policy, target)], (
        f"{case.id}: expected exactly {case.policy} on {target}, got:\n{describe(got)}"
    )
    violation = got[0]
    assert "could not decide" not in violation.message, violation.message
    assert violation.enforcement == META[case.policy].default_enforcement.value
    assert "Fix: " in violation.message


def test_a_vm_that_is_not_sensitive_needs_no_encrypting_policy() -> None:
    def extra(created: dict[str, Any]) -> None:
        internal = vsphere.Tag("tag-internal", name="internal", category_id=created["classes"].id)
        created["tag-internal"] = internal
        _vm("internal-vm", "tag-internal")(created)

    got = findings(preview(Variant(extra=extra)))
    assert not got, describe(got)


def test_secgroup_rule_from_a_remote_group_is_not_open() -> None:
    def extra(created: dict[str, Any]) -> None:
        openstack.networking.SecGroupRule(
            "ssh-from-bastion-group",
            security_group_id=created["sg"].id,
            direction="ingress",
            ethertype="IPv4",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_group_id=created["sg"].id,
        )

    got = findings(preview(Variant(extra=extra)))
    assert not got, describe(got)


def _catalog(framework: str, version: str) -> dict[str, Any]:
    for path in REFERENCES.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if (data["framework"], data["version"]) == (framework, version):
            return dict(data)
    raise AssertionError(f"no checked list for {framework} {version} in {REFERENCES}")


@pytest.mark.parametrize("policy_id", sorted(META))
def test_references_of_the_sovereign_policies_are_on_checked_lists(policy_id: str) -> None:
    for ref in META[policy_id].references:
        if ref.framework in ("OpenStack Security Guide", "VMware vSphere Security Configuration Guide"):
            catalog = _catalog(ref.framework, ref.version)
            assert ref.control in catalog["controls"], f"{policy_id}: {ref.tag()} is not on its checked list"
            assert catalog["source"].startswith("https://") and len(catalog["basis"]) > 40
