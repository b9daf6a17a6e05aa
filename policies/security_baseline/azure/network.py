"""Network exposure rules for Azure: inbound rules open to the Internet.

Part of the security-baseline pack: each rule here is listed in this module's ``POLICIES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pulumi_policy import Policy, Severity, StackValidationArgs

from policies.framework import (
    Attachments,
    Ctx,
    cis_azure,
    collect,
    dnssi,
    get,
    is_true,
    items,
    lower,
    mcsb,
    meta,
    need,
    present,
    rule,
    srule,
    stack_resources,
    with_props,
)
from policies.framework.network import (
    ADMIN_PORTS_SCHEMA,
    PortRange,
    admin_ports,
    exposure,
    internet_prefix,
    nsg_ranges,
)
from policies.framework.settings import given, value_at
from policies.security_baseline.azure.tokens import (
    AFD_SECURITY_POLICY,
    AKS,
    APP_GATEWAY,
    CDN_PROFILE,
    FRONTDOOR_WAF_POLICY,
    NSG,
    NSG_RULE,
    WAF_POLICY,
)

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _nsg_rules(p: dict[str, Any], ctx: Ctx) -> Iterator[tuple[str, dict[str, Any]]]:
    if ctx.type == NSG:
        for i, r in enumerate(items(p.get("securityRules"), "securityRules")):
            need(r, f"securityRules[{i}]")
            yield f"rule {get(r, 'name') or i}", r
    else:
        yield "rule", p


def _nsg_findings(ctx: Ctx, want_all: bool) -> Iterator[str]:
    ports = admin_ports(ctx.config)

    def relevant(rng: PortRange) -> bool:
        return rng.all if want_all else (not rng.all and bool(rng.hits(ports)))

    def one(label: str, r: dict[str, Any]) -> Callable[[], Iterable[str]]:
        def run() -> Iterable[str]:
            if lower(r.get("direction"), f"{label} direction") != "inbound":
                return []
            if lower(r.get("access"), f"{label} access") != "allow":
                return []

            def exposed_range() -> PortRange | None:
                protocol = lower(r.get("protocol"), f"{label} protocol")
                if protocol not in ("*", "tcp", "udp"):
                    return None  # ICMP, ESP, AH have no ports
                hits = [
                    rng
                    for rng in nsg_ranges(
                        r.get("destinationPortRange"), r.get("destinationPortRanges"), label
                    )
                    if relevant(rng)
                ]
                return hits[0] if hits else None

            sources = (
                [r["sourceAddressPrefix"]] if r.get("sourceAddressPrefix") is not None else []
            ) + items(r.get("sourceAddressPrefixes"), f"{label} sourceAddressPrefixes")
            # Sources such as GatewayManager, AzureLoadBalancer or VirtualNetwork (the Bastion subnet's
            # required rules) are not the Internet.
            found = exposure(exposed_range, lambda rng: True, sources, internet_prefix, f"{label} source")
            if found is None:
                return []
            rng, opened = found
            where = f"inbound {label} from {', '.join(opened)}"
            if rng.all:
                return [f"{where} opens all ports."]
            hit = ", ".join(map(str, rng.hits(ports)))
            return [f"{where} opens administration port(s) {hit} ({rng})."]

        return run

    yield from collect(one(label, r) for label, r in _nsg_rules(ctx.props, ctx))


AZURE_NSG_ADMIN_PORTS = rule(
    meta(
        "azure-nsg-admin-ports-open",
        CRITICAL,
        "No NSG rule (inline or a SecurityRule resource) allows inbound traffic from the Internet (*, "
        "Internet, Any, 0.0.0.0/0, ::/0) to a remote administration port (22, 3389, 5985, 5986 by default). "
        "The inbound rules Azure requires on a Bastion subnet (443 from Internet, GatewayManager and "
        "AzureLoadBalancer; 8080/5701 from VirtualNetwork) are not exposure.",
        "Reach machines through Azure Bastion or a VPN; limit the rule's source to known address ranges.",
        [cis_azure("6.1"), cis_azure("6.2"), mcsb("NS-1"), dnssi("Network security")],
        config=ADMIN_PORTS_SCHEMA,
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, False), NSG_RULE: lambda ctx: _nsg_findings(ctx, False)},
)


AZURE_NSG_ALL_PORTS = rule(
    meta(
        "azure-nsg-all-ports-open",
        CRITICAL,
        "No NSG rule allows inbound traffic from the Internet on all ports (* or 0-65535).",
        "Allow only the ports the service needs (e.g. 443) from the narrowest source.",
        [cis_azure("6.1"), cis_azure("6.2"), mcsb("NS-1"), dnssi("Network security")],
    ),
    {NSG: lambda ctx: _nsg_findings(ctx, True), NSG_RULE: lambda ctx: _nsg_findings(ctx, True)},
)


def _aks_network_policy(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    policy = lower(value_at(p, "networkProfile.networkPolicy"), "networkProfile.networkPolicy")
    if policy in ("", "none"):
        yield "pods are not isolated: the cluster has no network policy engine (networkProfile.networkPolicy)."


AZURE_AKS_NETWORK_POLICY = rule(
    meta(
        "azure-aks-network-policy",
        MEDIUM,
        "AKS clusters run a network policy engine (Azure, Calico or Cilium) so that Kubernetes network policies "
        "isolate pods.",
        'Set `network_profile.network_policy="azure"` (or "calico", or "cilium" with Azure CNI powered by Cilium).',
        [mcsb("NS-1"), dnssi("Network security")],
    ),
    {AKS: with_props(_aks_network_policy)},
)


def _appgw_waf(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    tier = lower(value_at(p, "sku.tier"), "sku.tier")
    if not tier.startswith("waf"):
        yield f"the application gateway runs without a web application firewall (SKU tier {tier or 'not set'})."
        return
    if given(p, "firewallPolicy.id"):
        return
    if is_true(
        value_at(p, "webApplicationFirewallConfiguration.enabled", False),
        "webApplicationFirewallConfiguration",
    ):
        return
    yield "the WAF SKU has no firewall policy (firewallPolicy) and no enabled WAF configuration."


AZURE_APPGW_WAF = rule(
    meta(
        "azure-appgw-waf-enabled",
        HIGH,
        "Application gateways run the WAF_v2 tier with a WAF policy.",
        'Use `sku={"name": "WAF_v2", "tier": "WAF_v2"}` and `firewall_policy={"id": waf_policy.id}` (a '
        "`network.WebApplicationFirewallPolicy` in Prevention mode).",
        [mcsb("NS-6"), dnssi("Network security")],
    ),
    {APP_GATEWAY: with_props(_appgw_waf)},
)


def _waf_mode(p: dict[str, Any], ctx: Ctx) -> Iterator[str]:
    state_key = "policySettings.state" if ctx.type == WAF_POLICY else "policySettings.enabledState"
    state = lower(value_at(p, state_key), state_key)
    if state == "disabled":
        yield "the WAF policy is switched off (policy state Disabled)."
        return
    mode = value_at(p, "policySettings.mode")
    if lower(mode, "policySettings.mode") != "prevention":
        yield f"the WAF policy only detects (mode {mode or 'not set'}); it blocks nothing."


AZURE_WAF_PREVENTION = rule(
    meta(
        "azure-waf-policy-prevention-mode",
        HIGH,
        "WAF policies of application gateways and Front Door are enabled and in Prevention mode.",
        'Set `policy_settings={"state": "Enabled", "mode": "Prevention"}` (Front Door: `"enabled_state": '
        '"Enabled"`), after a detection period if needed.',
        [mcsb("NS-6"), dnssi("Network security")],
    ),
    {WAF_POLICY: with_props(_waf_mode), FRONTDOOR_WAF_POLICY: with_props(_waf_mode)},
)


def _front_door_waf(args: StackValidationArgs, fail: Callable[[str, Any], None]) -> None:
    found = stack_resources(args, [CDN_PROFILE, AFD_SECURITY_POLICY])
    profiles = []
    for profile in found[CDN_PROFILE]:
        sku = str(need(get(profile.props, "sku", "name"), f"{profile.urn} sku.name") or "")
        if "AzureFrontDoor" in sku:
            profiles.append(profile)
    protected = Attachments()
    for policy in found[AFD_SECURITY_POLICY]:
        kind = lower(get(policy.props, "parameters", "type"), f"{policy.urn} parameters.type")
        if kind != "webapplicationfirewall" or not present(
            get(policy.props, "parameters", "wafPolicy", "id")
        ):
            continue
        protected.attach(policy, "profileName", profiles, name_prop="profileName")
    for profile in profiles:
        if protected.covers(profile, "the profile of security policy"):
            continue
        fail("the Front Door profile has no security policy attaching a WAF policy.", profile)


AZURE_FRONTDOOR_WAF = srule(
    meta(
        "azure-frontdoor-waf",
        HIGH,
        "Every Azure Front Door (Standard/Premium) profile has a security policy (related through its profile "
        "dependency) that attaches a WAF policy to its endpoints.",
        '`cdn.SecurityPolicy(profile_name=profile.name, parameters={"type": "WebApplicationFirewall", "waf_policy": '
        '{"id": waf.id}, "associations": [{"domains": [{"id": endpoint.id}], "patterns_to_match": ["/*"]}]})`.',
        [mcsb("NS-6"), dnssi("Network security")],
    ),
    _front_door_waf,
    types=[CDN_PROFILE, AFD_SECURITY_POLICY],
)


POLICIES: list[Policy] = [
    AZURE_NSG_ADMIN_PORTS,
    AZURE_NSG_ALL_PORTS,
    AZURE_AKS_NETWORK_POLICY,
    AZURE_APPGW_WAF,
    AZURE_WAF_PREVENTION,
    AZURE_FRONTDOOR_WAF,
]
"""This domain's policies, in catalogue order."""
