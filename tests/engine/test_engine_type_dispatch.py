"""Type dispatch (kasbah.dispatch) changes the cost of the analysis, never its result.

One repository stack per cloud, a fail fixture of every stack policy and a spread of the other fail
fixtures of the security baseline are previewed with the dispatch on and off (each preview runs the
whole baseline, so the sample is kept small for CI's budget; every stack's verdict with the dispatch
on is pinned by tests/test_stacks.py): the violations are the same, in the same order, and a bad policy
configuration is refused the same way even when no resource of the policy's types exists.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT
from pulumi_policy import StackValidationPolicy

from kasbah.engine import preview
from kasbah.errors import PreviewError
from kasbah.inventory import stacks

sys.path.insert(0, str(REPO_ROOT / "tests" / "policies"))

from baseline_program import Variant
from baseline_program import preview as preview_baseline
from test_policy_baseline_fixtures import CASES

from policies.security_baseline.rules import POLICIES


def _verdicts(result: Any) -> list[tuple[str, str, str, str, str]]:
    return [(v.pack, v.policy, v.urn, v.enforcement, v.message) for v in result.violations]


def _both(run: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.setenv("KASBAH_TYPE_DISPATCH", "1")
    on = run()
    monkeypatch.setenv("KASBAH_TYPE_DISPATCH", "0")
    off = run()
    return on, off


# One stack per cloud (its development stack).
STACKS = [s for s in stacks() if s.endswith("-dev") and s != "edge-dev"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_gets_the_same_verdicts(stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    on, off = _both(lambda: preview(Path(REPO_ROOT), stack), monkeypatch)
    assert _verdicts(on) == _verdicts(off)


# A fail fixture of every stack policy (their inputs are filtered by type), and a spread of the others.
_STACK_POLICIES = {p.name for p in POLICIES if isinstance(p, StackValidationPolicy)}
_FIRST = {c.policy: c for c in reversed(CASES)}  # one fail fixture per policy
SAMPLE = [c for p, c in sorted(_FIRST.items()) if p in _STACK_POLICIES] + [
    c for c in CASES[::40] if c.policy not in _STACK_POLICIES
]


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_every_baseline_fixture_gets_the_same_verdicts(case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    on, off = _both(lambda: preview_baseline(case.variant()), monkeypatch)
    assert _verdicts(on) == _verdicts(off)
    assert any(v.policy == case.policy for v in on.violations), case.id


@pytest.mark.parametrize("dispatch", ["1", "0"])
def test_a_bad_config_is_refused_even_when_no_resource_has_the_policy_types(
    dispatch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Azure-only baseline has no Redshift cluster; a bad exemption date on a Redshift policy still stops it."""
    monkeypatch.setenv("KASBAH_TYPE_DISPATCH", dispatch)
    config = {
        "aws-redshift-not-public": {
            "exemptions": [{"urn": "*::x", "reason": "r", "expires": "2027-02-30"}],
        }
    }
    with pytest.raises(
        PreviewError, match=r"aws-redshift-not-public: exemptions\[0\]\.expires: '2027-02-30'"
    ):
        preview_baseline(Variant(clouds=("azure",)), policy_config=config)
