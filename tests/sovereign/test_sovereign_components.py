"""The OpenStack and vSphere landing zones: pure validation, and security properties under the engine.

The engine-level checks read the offline previews of the repository's stacks (sovereign-dev,
sovereign-vsphere-dev) without policy packs: what the components build, whatever the packs say.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from conftest import REPO_ROOT

from components.errors import ConfigError
from components.openstack.plan import (
    ContainerArgs,
    IdentityScope,
    LoadBalancerArgs,
    NetworkArgs,
    OpenStackLandingZoneArgs,
    OperatorRights,
    SecurityArgs,
    TierArgs,
    VolumeArgs,
    sync_target,
)
from components.openstack.plan import validate as validate_openstack
from components.vsphere.plan import (
    AccessArgs,
    AccessRole,
    ContentLibraryArgs,
    EnvironmentArgs,
    SegmentArgs,
    TenantArgs,
    VsphereLandingZoneArgs,
    roles_of,
)
from components.vsphere.plan import validate as validate_vsphere
from kasbah.engine import preview
from kasbah.facts import REMOTE_ADMIN_PORTS

CERT = "https://barbican.example.invalid:9311/v1/secrets/6a1c1a5e-7e0e-4b8a-9b59-0c6f3d1f2a10"

# --- OpenStack: pure validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (
            OpenStackLandingZoneArgs(security=SecurityArgs(admin_cidrs=["0.0.0.0/0"])),
            "security.adminCidrs[0]",
        ),
        (
            OpenStackLandingZoneArgs(security=SecurityArgs(app_ports=[22, 443])),
            "security.adminPorts and security.appPorts",
        ),
        (
            OpenStackLandingZoneArgs(volumes=[VolumeArgs(volume_type="ssd")]),
            "volumes[0].volumeType and encryptedVolumeTypes",
        ),
        (
            OpenStackLandingZoneArgs(
                network=NetworkArgs(tiers=[TierArgs("a", "10.0.0.0/24"), TierArgs("b", "10.0.0.0/16")])
            ),
            "network.tiers[0].cidr and network.tiers[1].cidr",
        ),
        (
            OpenStackLandingZoneArgs(
                load_balancer=LoadBalancerArgs(enabled=True, certificate_ref="cert.pem")
            ),
            "loadBalancer.certificateRef",
        ),
        (
            OpenStackLandingZoneArgs(
                load_balancer=LoadBalancerArgs(enabled=True, tier="dmz", certificate_ref=CERT)
            ),
            "loadBalancer.tier and network.tiers",
        ),
        (
            OpenStackLandingZoneArgs(
                load_balancer=LoadBalancerArgs(enabled=True, certificate_ref=CERT, tls_versions=["TLSv1.1"])
            ),
            "loadBalancer.tlsVersions",
        ),
        (
            OpenStackLandingZoneArgs(
                containers=[ContainerArgs("a", sync_to="https://elsewhere/v1/AUTH_x/c")]
            ),
            "containers[0].syncTo",
        ),
        (
            OpenStackLandingZoneArgs(containers=[ContainerArgs("a", sync_to="b"), ContainerArgs("b")]),
            "containers[0].syncTo and sync",
        ),
        (
            OpenStackLandingZoneArgs(operator_rights=OperatorRights.ADMIN),
            "operatorRights and identityScope",
        ),
    ],
    ids=[
        "admin-anywhere",
        "admin-as-app",
        "unencrypted-type",
        "overlap",
        "cert",
        "tier",
        "tls",
        "sync-out",
        "realm",
        "quotas",
    ],
)
def test_openstack_validation_names_the_keys(args: OpenStackLandingZoneArgs, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_openstack(args, "kasbah:")
    prefixed = " and ".join(f"kasbah:{k}" for k in key.split(" and "))
    assert str(err.value).startswith(f"{prefixed}: "), str(err.value)


def test_openstack_defaults_are_valid_and_sync_targets_use_realms() -> None:
    validate_openstack(OpenStackLandingZoneArgs())
    validate_openstack(
        OpenStackLandingZoneArgs(
            identity_scope=IdentityScope.DOMAIN_MANAGER, operator_rights=OperatorRights.ADMIN
        )
    )
    assert sync_target("realm", "cluster", "p1", "c") == "//realm/cluster/AUTH_p1/c"


# --- vSphere: pure validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (
            VsphereLandingZoneArgs(
                environments=[EnvironmentArgs("dev", 1000, 1000, [TenantArgs("t", 2000, 500)])]
            ),
            "environments[0].tenants[0].cpuLimitMhz and environments[0].cpuLimitMhz",
        ),
        (VsphereLandingZoneArgs(segments=[SegmentArgs("a", 5000)]), "segments[0].vlanId"),
        (VsphereLandingZoneArgs(segments=[SegmentArgs("a", 10), SegmentArgs("b", 10)]), "segments.vlanId[1]"),
        (
            VsphereLandingZoneArgs(access=[AccessArgs("g", AccessRole.ADMIN, ["prod"])]),
            "access[0].environments[0] and environments",
        ),
        (
            VsphereLandingZoneArgs(
                content_library=ContentLibraryArgs("ds", "https://vc.abroad.invalid/cls/vcsp/lib/x/lib.json")
            ),
            "contentLibrary.subscriptionUrl and allowedVcenters",
        ),
    ],
    ids=["tenant-over-env", "vlan", "vlan-twice", "unknown-env", "subscription"],
)
def test_vsphere_validation_names_the_keys(args: VsphereLandingZoneArgs, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_vsphere(args, "kasbah:")
    prefixed = " and ".join(f"kasbah:{k}" for k in key.split(" and "))
    assert str(err.value).startswith(f"{prefixed}: "), str(err.value)


def test_vsphere_custom_roles_only_when_used() -> None:
    assert roles_of([AccessArgs("g", AccessRole.READER)]) == []
    assert roles_of([AccessArgs("g", AccessRole.ADMIN), AccessArgs("h", AccessRole.OPERATOR)]) == [
        AccessRole.OPERATOR,
        AccessRole.ADMIN,
    ]
    ok = VsphereLandingZoneArgs(
        allowed_vcenters=["vc.example.invalid"],
        content_library=ContentLibraryArgs("ds", "https://vc.example.invalid/cls/vcsp/lib/x/lib.json"),
    )
    validate_vsphere(ok)
    validate_vsphere(replace(ok, access=[AccessArgs("g", AccessRole.READER, ["dev"])]))


# --- under the engine --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openstack_stack() -> Any:
    return preview(REPO_ROOT, "sovereign-dev", policy_packs=[])


@pytest.fixture(scope="module")
def vsphere_stack() -> Any:
    return preview(REPO_ROOT, "sovereign-vsphere-dev", policy_packs=[])


def _of(result: Any, token: str) -> list[Any]:
    return [r for r in result.resources if r.type == token]


def test_openstack_security_group_denies_by_default(openstack_stack: Any) -> None:
    (group,) = _of(openstack_stack, "openstack:networking/secGroup:SecGroup")
    assert group.inputs["deleteDefaultRules"] is True, group.urn
    for rule in _of(openstack_stack, "openstack:networking/secGroupRule:SecGroupRule"):
        i = rule.inputs
        if i["direction"] == "ingress" and i["portRangeMin"] in REMOTE_ADMIN_PORTS:
            assert i["remoteIpPrefix"] == "10.255.0.0/24", rule.urn
        assert i["remoteIpPrefix"], f"{rule.urn}: a rule without a source admits everything"


def test_openstack_networks_are_private_and_routed_to_the_operator(openstack_stack: Any) -> None:
    for net in _of(openstack_stack, "openstack:networking/network:Network"):
        assert net.inputs["shared"] is False and net.inputs["external"] is False, net.urn
    (router,) = _of(openstack_stack, "openstack:networking/router:Router")
    assert router.inputs["externalNetworkId"] not in ("", "[unknown]"), router.urn
    interfaces = _of(openstack_stack, "openstack:networking/routerInterface:RouterInterface")
    assert {r.name for r in interfaces} == {"sovereign-router-if-web", "sovereign-router-if-app"}
    (data,) = [
        s for s in _of(openstack_stack, "openstack:networking/subnet:Subnet") if s.name.endswith("-data")
    ]
    assert data.inputs["noGateway"] is True, data.urn


def test_openstack_https_with_barbican_and_encrypted_volumes(openstack_stack: Any) -> None:
    (listener,) = _of(openstack_stack, "openstack:loadbalancer/listener:Listener")
    assert listener.inputs["protocol"] == "TERMINATED_HTTPS" and listener.inputs["protocolPort"] == 443
    assert "/v1/secrets/" in listener.inputs["defaultTlsContainerRef"]
    assert set(listener.inputs["tlsVersions"]) == {"TLSv1.2", "TLSv1.3"}
    for vol in _of(openstack_stack, "openstack:blockstorage/volume:Volume"):
        assert vol.inputs["volumeType"] in ("luks", "luks-ssd"), vol.urn
        assert vol.inputs["metadata"]["data-classification"], vol.urn
    for order in _of(openstack_stack, "openstack:keymanager/orderV1:OrderV1"):
        assert order.inputs["meta"]["bitLength"] == 256 and order.inputs["type"] == "key"


def test_openstack_roles_go_to_groups_per_project(openstack_stack: Any) -> None:
    assignments = _of(openstack_stack, "openstack:identity/roleAssignment:RoleAssignment")
    assert len(assignments) == 6  # two environments x reader, member, admin
    for a in assignments:
        assert "groupId" in a.property_dependencies and "projectId" in a.property_dependencies, a.urn
        assert "userId" not in a.inputs, a.urn


def test_vsphere_port_groups_reject_layer2_attacks(vsphere_stack: Any) -> None:
    groups = _of(vsphere_stack, "vsphere:index/distributedPortGroup:DistributedPortGroup")
    assert {g.inputs["vlanId"] for g in groups} == {110, 120, 130}
    for g in groups:
        i = g.inputs
        assert (i["allowPromiscuous"], i["allowForgedTransmits"], i["allowMacChanges"]) == (
            False,
            False,
            False,
        )


def test_vsphere_pools_are_limited_and_nested(vsphere_stack: Any) -> None:
    pools = {p.name: p for p in _of(vsphere_stack, "vsphere:index/resourcePool:ResourcePool")}
    for pool in pools.values():
        assert pool.inputs["cpuExpandable"] is False and pool.inputs["memoryExpandable"] is False, pool.urn
        assert pool.inputs["cpuLimit"] > 0 and pool.inputs["memoryLimit"] > 0, pool.urn
    tenant = pools["sovereign-pool-dev-payments"]
    assert tenant.property_dependencies["parentResourcePoolId"] == [pools["sovereign-pool-dev"].urn]


def test_vsphere_sensitive_storage_policy_selects_encrypted_datastores(vsphere_stack: Any) -> None:
    (policy,) = _of(vsphere_stack, "vsphere:index/vmStoragePolicy:VmStoragePolicy")
    (rule,) = policy.inputs["tagRules"]
    assert rule["includeDatastoresWithTags"] is True and rule["tags"] == ["encrypted"]
    categories = {c.inputs["name"]: c for c in _of(vsphere_stack, "vsphere:index/tagCategory:TagCategory")}
    assert categories["data-classification"].inputs["cardinality"] == "SINGLE"
    tags = [t.inputs["name"] for t in _of(vsphere_stack, "vsphere:index/tag:Tag")]
    assert {"public", "internal", "personal", "sensitive", "encrypted", "dev"} <= set(tags)


def test_vsphere_library_is_local_and_permissions_go_to_groups(vsphere_stack: Any) -> None:
    (library,) = _of(vsphere_stack, "vsphere:index/contentLibrary:ContentLibrary")
    assert "publication" not in library.inputs and "subscription" not in library.inputs
    for perm in _of(vsphere_stack, "vsphere:index/entityPermissions:EntityPermissions"):
        entries = perm.inputs["permissions"]
        assert all(e["isGroup"] for e in entries), perm.urn
        names = [e["userOrGroup"].lower() for e in entries]
        assert names == sorted(names), f"{perm.urn}: the provider wants permissions sorted by user_or_group"
    for role in _of(vsphere_stack, "vsphere:index/role:Role"):
        assert not [p for p in role.inputs["rolePrivileges"] if p.startswith("Authorization.")], role.urn
