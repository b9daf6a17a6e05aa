"""The security-baseline pack's policy list: AWS then Azure, in a stable order."""

from __future__ import annotations

from policies.security_baseline import rules_aws, rules_azure

PACK_NAME = "security-baseline"
"""The pack's name, as the CLI and policy-pack config files know it."""

POLICIES: list = [*rules_aws.POLICIES, *rules_azure.POLICIES]
"""Every policy of the pack (pulumi-policy objects built with policies.common)."""

_ids = [p.name for p in POLICIES]
if len(_ids) != len(set(_ids)):
    raise RuntimeError(f"duplicate policy ids in {PACK_NAME}: {sorted(i for i in _ids if _ids.count(i) > 1)}")
