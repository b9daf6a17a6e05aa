"""The security-baseline pack's policy list: AWS, Azure, GCP, OpenStack, vSphere, each by domain, in a stable order."""

from __future__ import annotations

from pulumi_policy import Policy

from policies.security_baseline import aws, azure, gcp, openstack, vsphere

PACK_NAME = "security-baseline"
"""The pack's name, as the CLI and policy-pack config files know it."""

CLOUDS = (aws, azure, gcp, openstack, vsphere)
"""The per-cloud rule packages (adding a cloud: a new package here, see CONTRIBUTING.md)."""

POLICIES: list[Policy] = [p for cloud in CLOUDS for p in cloud.POLICIES]
"""Every policy of the pack (built with policies.framework)."""

_ids = [p.name for p in POLICIES]
if len(_ids) != len(set(_ids)):
    raise RuntimeError(f"duplicate policy ids in {PACK_NAME}: {sorted(i for i in _ids if _ids.count(i) > 1)}")
