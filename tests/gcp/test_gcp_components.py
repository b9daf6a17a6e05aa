"""GCP landing zone components under the offline engine: the security properties of what gcp-dev
(organization root) and gcp-prod (adopted folder, two regions, HA VPN, protected) register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.gcp.org_policy import library
from kasbah.engine import PreviewResult, RecordedResource, preview

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["gcp-dev", "gcp-prod"])
def stack(request: pytest.FixtureRequest) -> PreviewResult:
    return preview(REPO, request.param, policy_packs=[])


def of(result: PreviewResult, type_: str) -> list[RecordedResource]:
    return [r for r in result.resources if r.type == type_]


def by_urn(result: PreviewResult) -> dict[str, RecordedResource]:
    return {r.urn: r for r in result.resources}


def depends(result: PreviewResult, a: RecordedResource, b: RecordedResource) -> bool:
    """Whether ``a`` has a dependency path to ``b`` (dependsOn and property dependencies; components expand)."""
    index = by_urn(result)
    children: dict[str, list[str]] = {}
    for r in result.resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)
    seen: set[str] = set()
    todo = [a.urn]
    while todo:
        urn = todo.pop()
        if urn in seen:
            continue
        seen.add(urn)
        res = index[urn]
        nxt = set(res.dependencies) | {u for us in res.property_dependencies.values() for u in us}
        for n in list(nxt):
            nxt |= set(children.get(n, ()))
        if b.urn in nxt:
            return True
        todo.extend(nxt)
    return False


def test_networks_are_custom_mode_without_default_routes(stack: PreviewResult) -> None:
    networks = of(stack, "gcp:compute/network:Network")
    assert len(networks) == 3
    for n in networks:
        assert n.inputs["autoCreateSubnetworks"] is False, n.urn
        assert n.inputs["deleteDefaultRoutesOnCreate"] is True, n.urn
        assert n.inputs["routingMode"] == "GLOBAL", n.urn
    egress = [r for r in of(stack, "gcp:compute/route:Route") if r.inputs["destRange"] == "0.0.0.0/0"]
    assert egress and all(r.inputs["tags"] == ["egress-internet"] for r in egress)


def test_subnets_have_private_google_access_and_flow_logs(stack: PreviewResult) -> None:
    for s in of(stack, "gcp:compute/subnetwork:Subnetwork"):
        assert s.inputs["privateIpGoogleAccess"] is True, s.urn
        assert s.inputs["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA", s.urn
        assert s.inputs["region"] in ("europe-west9", "europe-southwest1"), s.urn


def test_peerings_are_created_one_after_another(stack: PreviewResult) -> None:
    peerings = of(stack, "gcp:compute/networkPeering:NetworkPeering")
    assert len(peerings) == 4
    for i, a in enumerate(peerings):
        for b in peerings[i + 1 :]:
            assert depends(stack, a, b) or depends(stack, b, a), f"{a.name} and {b.name} run at the same time"


def test_log_buckets_are_cmek_in_the_region_after_the_key_grant(stack: PreviewResult) -> None:
    grant = next(
        r for r in of(stack, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") if r.name == "logging-cmek"
    )
    buckets = of(stack, "gcp:logging/projectBucketConfig:ProjectBucketConfig")
    assert sorted(b.inputs["bucketId"] for b in buckets) == ["audit-logs", "iam", "vpc-sc"]
    for b in buckets:
        assert b.inputs["location"] == "europe-west9"
        assert "cmekSettings" in b.inputs and depends(stack, b, grant), b.urn
    ring = of(stack, "gcp:kms/keyRing:KeyRing")[0]
    assert ring.inputs["location"] == "europe-west9"
    for key in of(stack, "gcp:kms/cryptoKey:CryptoKey"):
        assert key.inputs["rotationPeriod"] == "7776000s", key.urn


def test_organization_policies_come_from_the_library_and_restrict_locations(stack: PreviewResult) -> None:
    policies = {r.inputs["name"].rsplit("/", 1)[-1]: r for r in of(stack, "gcp:orgpolicy/policy:Policy")}
    assert set(policies) == set(library())
    root = stack.outputs["root"]
    assert all(
        p.inputs["parent"] == root and p.inputs["name"].startswith(f"{root}/policies/")
        for p in policies.values()
    )
    rules = policies["gcp.resourceLocations"].inputs["spec"]["rules"]
    assert rules == [
        {"values": {"allowedValues": ["in:europe-west9-locations", "in:europe-southwest1-locations"]}}
    ]
    domains = policies["iam.allowedPolicyMemberDomains"].inputs["spec"]["rules"][0]["values"]["allowedValues"]
    assert domains and all(d.startswith("is:C") for d in domains)


def _root_types(stack: PreviewResult) -> set[str]:
    return {r.type for r in stack.resources}


def test_an_adopted_folder_is_the_root_of_sinks_settings_audit_and_firewall(stack: PreviewResult) -> None:
    types = _root_types(stack)
    association = of(stack, "gcp:compute/firewallPolicyAssociation:FirewallPolicyAssociation")[0]
    if stack.stack == "gcp-prod":
        assert stack.outputs["root"] == "folders/345678901234"
        assert (
            "gcp:logging/folderSink:FolderSink" in types
            and "gcp:logging/organizationSink:OrganizationSink" not in types
        )
        assert {
            "gcp:logging/folderSettings:FolderSettings",
            "gcp:folder/iamAuditConfig:IamAuditConfig",
        } <= types
        assert association.inputs["attachmentTarget"] == "folders/345678901234"
        folders = of(stack, "gcp:organizations/folder:Folder")
        assert {f.inputs["parent"] for f in folders} == {"folders/345678901234"}
    else:
        assert (
            "gcp:logging/organizationSink:OrganizationSink" in types
            and "gcp:logging/folderSink:FolderSink" not in types
        )
        assert association.inputs["attachmentTarget"] == "organizations/123456789012"


def test_sinks_include_children_and_writers_get_bucket_writer(stack: PreviewResult) -> None:
    sinks = [r for r in stack.resources if r.type.endswith("Sink")]
    assert len(sinks) == 3 and all(s.inputs["includeChildren"] is True for s in sinks)
    writers = [
        r
        for r in of(stack, "gcp:projects/iAMMember:IAMMember")
        if r.inputs.get("role") == "roles/logging.bucketWriter"
    ]
    assert len(writers) == 3


def test_service_projects_attach_after_the_host_and_their_compute_api(stack: PreviewResult) -> None:
    hosts = of(stack, "gcp:compute/sharedVPCHostProject:SharedVPCHostProject")
    for attach in of(stack, "gcp:compute/sharedVPCServiceProject:SharedVPCServiceProject"):
        assert any(depends(stack, attach, h) for h in hosts), attach.urn
        apis = [
            s
            for s in of(stack, "gcp:projects/service:Service")
            if s.name == attach.name.replace("-attach", "-compute")
        ]
        assert apis and depends(stack, attach, apis[0]), attach.urn
    for budget in of(stack, "gcp:billing/budget:Budget"):
        assert "currencyCode" not in budget.inputs["amount"]["specifiedAmount"], budget.urn


def test_projects_have_no_default_network_and_prod_protects_them(stack: PreviewResult) -> None:
    for p in of(stack, "gcp:organizations/project:Project"):
        assert p.inputs["autoCreateNetwork"] is False, p.urn
        assert len(p.inputs["projectId"]) <= 30
        assert p.inputs["deletionPolicy"] == ("PREVENT" if stack.stack == "gcp-prod" else "DELETE")
        assert p.inputs["labels"]["data-classification"] in ("internal", "personal")


def test_perimeter_is_dry_run_only(stack: PreviewResult) -> None:
    perimeter = of(stack, "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter")[0]
    assert perimeter.inputs["useExplicitDryRunSpec"] is True
    assert "status" not in perimeter.inputs
    assert "storage.googleapis.com" in perimeter.inputs["spec"]["restrictedServices"]


def test_prod_has_an_ha_vpn_with_a_secret_key(stack: PreviewResult) -> None:
    tunnels = of(stack, "gcp:compute/vPNTunnel:VPNTunnel")
    if stack.stack != "gcp-prod":
        assert not tunnels
        return
    assert len(tunnels) == 2 and all(t.inputs["sharedSecret"] == "[secret]" for t in tunnels)
    assert len(of(stack, "gcp:compute/routerPeer:RouterPeer")) == 2


def _labels(r: RecordedResource) -> Any:
    return r.inputs.get("labels")


def test_provider_label_emulation_adds_the_attribution_label(stack: PreviewResult) -> None:
    project = of(stack, "gcp:organizations/project:Project")[0]
    assert project.wire["effectiveLabels"]["goog-pulumi-provisioned"] == "true"
    assert project.wire["pulumiLabels"] == project.wire["effectiveLabels"]
    assert _labels(project)["owner"] == "platform-team"
