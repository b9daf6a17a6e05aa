"""The security-baseline pack's layout: one package per cloud, one module per domain, every rule registered."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path
from types import ModuleType

import pytest
from pulumi_policy import Severity, StackValidationArgs
from pulumi_policy.policy import PolicyResource, PolicyResourceOptions

from policies.framework import KasbahResourcePolicy, KasbahStackPolicy
from policies.framework.meta import mcsb, meta
from policies.security_baseline import rules
from policies.security_baseline.aws import tokens as aws_tokens
from policies.security_baseline.azure import tokens as azure_tokens
from policies.security_baseline.gcp import tokens as gcp_tokens
from policies.security_baseline.openstack import tokens as openstack_tokens
from policies.security_baseline.vsphere import tokens as vsphere_tokens

SITE = Path(sysconfig.get_paths()["purelib"])
DOMAIN_NAMES = ("encryption", "exposure", "network", "logging", "keys", "identity", "durability")


def _domains() -> list[tuple[str, ModuleType]]:
    return [(cloud.__name__.rsplit(".", 1)[1], domain) for cloud in rules.CLOUDS for domain in cloud.DOMAINS]


def test_every_cloud_lists_its_domains_in_catalogue_order() -> None:
    for cloud in rules.CLOUDS:
        assert [d.__name__.rsplit(".", 1)[1] for d in cloud.DOMAINS] == list(DOMAIN_NAMES), cloud.__name__
        assert [p.name for p in cloud.POLICIES] == [p.name for d in cloud.DOMAINS for p in d.POLICIES]
    assert [p.name for p in rules.POLICIES] == [p.name for c in rules.CLOUDS for p in c.POLICIES]


@pytest.mark.parametrize(("cloud", "domain"), _domains(), ids=lambda v: getattr(v, "__name__", v))
def test_every_rule_of_a_domain_module_is_registered_there(cloud: str, domain: ModuleType) -> None:
    """A rule defined in a domain module but missing from its POLICIES would silently never run."""
    defined = [
        v
        for v in vars(domain).values()
        if isinstance(v, KasbahResourcePolicy | KasbahStackPolicy) and v.name.startswith(f"{cloud}-")
    ]
    listed = list(domain.POLICIES)
    assert sorted(p.name for p in defined) == sorted(p.name for p in listed), domain.__name__
    assert all(p.name.startswith(f"{cloud}-") for p in listed), domain.__name__


def test_policies_are_the_framework_classes_themselves() -> None:
    """No ``__class__`` swap: every policy is constructed as the framework class it is."""
    for policy in rules.POLICIES:
        assert type(policy) in (KasbahResourcePolicy, KasbahStackPolicy), policy.name
        if isinstance(policy, KasbahResourcePolicy):
            assert policy.types, f"{policy.name} checks no type"


def _registered_tokens() -> set[str]:
    tokens: set[str] = set()
    for pkg in ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp", "pulumi_openstack", "pulumi_vsphere"):
        text = (SITE / pkg / "__init__.py").read_text(encoding="utf-8")
        tokens |= set(re.findall(r'"((?:aws|azure-native|gcp|openstack|vsphere):[^"]+)": "', text))
    return tokens


def _declared(module: ModuleType) -> set[str]:
    found: set[str] = set()
    for name, value in vars(module).items():
        if name.isupper():
            found |= {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)}
    return found


def _alias_of_a_current_type(token: str) -> bool:
    """An older token (``azure-native:insights:DiagnosticSetting``) kept as an alias by the current resource."""
    package, _, name = token.rpartition(":")
    sdk = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}[
        package.split(":")[0]
    ]
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return any(
        f'Alias(type_="{token}")' in path.read_text(encoding="utf-8")
        for path in (SITE / sdk).glob(f"*/{snake}.py")
    )


def test_every_type_token_exists_in_the_installed_sdks() -> None:
    """Each token is registered by pulumi-aws 7 / azure-native 3, or is an alias its current resource keeps."""
    registered = _registered_tokens()
    used = (
        _declared(aws_tokens)
        | _declared(azure_tokens)
        | _declared(gcp_tokens)
        | _declared(openstack_tokens)
        | _declared(vsphere_tokens)
    )
    for policy in rules.POLICIES:
        if isinstance(policy, KasbahResourcePolicy) and policy.types is not None:
            used |= policy.types
    missing = sorted(t for t in used - registered if not _alias_of_a_current_type(t))
    assert not missing, f"type tokens unknown to pulumi-aws 7 / pulumi-azure-native 3: {missing}"


# Stack policies that look at the whole stack: the account-presence checks, which first ask whether the
# stack manages the cloud at all. Every other stack policy lists the types it reads.
WHOLE_STACK = {
    "aws-account-ebs-default-encryption-present",
    "aws-account-cloudtrail-present",
    "aws-account-config-recorder-present",
    "aws-account-password-policy-present",
    "azure-subscription-activity-log-exported",
}


def test_stack_policies_declare_the_types_they_read() -> None:
    stack = [p for p in rules.POLICIES if isinstance(p, KasbahStackPolicy)]
    assert {p.name for p in stack if p.types is None} == WHOLE_STACK
    registered = _registered_tokens()
    for policy in stack:
        for token in policy.types or ():
            assert token == "pulumi:pulumi:Stack" or token in registered or _alias_of_a_current_type(token), (
                f"{policy.name} reads {token}, unknown to the SDKs"
            )


def test_a_stack_policy_with_types_sees_only_those() -> None:
    """The framework hands the check only the declared types: a host may pass only those, identically."""
    opts = PolicyResourceOptions(False, [], None, [], None, [], None)
    seen: list[str] = []

    def check(args: StackValidationArgs, fail: object) -> None:
        seen.extend(r.resource_type for r in args.resources)

    example = meta("x-example", Severity.LOW, "What compliant looks like.", "The fix.", [mcsb("LT-3")])
    policy = KasbahStackPolicy(example, check, ["aws:ec2/vpc:Vpc"])
    resources = [
        PolicyResource(t, {}, f"urn:{t}", "n", opts, None, None, [], {})
        for t in ("pulumi:pulumi:Stack", "aws:ec2/vpc:Vpc", "aws:s3/bucket:Bucket")
    ]
    policy.validate(StackValidationArgs(resources, {}), lambda message, urn=None: None)
    assert seen == ["pulumi:pulumi:Stack", "aws:ec2/vpc:Vpc"]
