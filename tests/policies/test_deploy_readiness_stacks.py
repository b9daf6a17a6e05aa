"""The AWS and edge stacks preview with zero deploy-readiness findings (issue 11, "Done when").

The Azure stacks are checked by the Azure landing zone's own tests once its defects are fixed
(issue 12); until then the pack reports them, which is what it is for.
"""

from __future__ import annotations

import pytest
from conftest import REPO_ROOT

from kasbah.engine import preview

STACKS = ("aws-org", "aws-dev", "aws-prod", "edge-dev")


@pytest.mark.parametrize("stack", STACKS)
def test_stack_has_no_deploy_readiness_finding(stack: str) -> None:
    r = preview(REPO_ROOT, stack)
    assert "deploy-readiness" in {p for p, _ in r.policy_packs}
    mine = [v for v in r.violations if v.pack == "deploy-readiness"]
    details = "\n".join(f"  {v.policy} {v.urn}: {v.message}" for v in mine)
    assert not mine, f"{stack}: {len(mine)} deploy-readiness finding(s):\n{details}"
