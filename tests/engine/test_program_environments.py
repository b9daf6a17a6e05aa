"""Programs run in their project's own environment: created from its requirements when missing (as
``pulumi install`` does), served Kasbah's monitor over gRPC from a child process, and reported the same way.

Building an environment downloads packages (pip's index and find-links, as CI has them): a small real
package (pulumi-random) is built in every run to exercise the creation itself (20 to 40 s on the shared
2-core machine). The program pinned to an older provider major is in test_realistic_programs.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from conftest import PROJECTS, REPO_ROOT

from kasbah.cli import main
from kasbah.engine import preview
from kasbah.errors import PreviewError

EXITS = PROJECTS / "exits"
PULUMI = metadata.version("pulumi")


@pytest.fixture
def random_project(tmp_path: Path) -> Path:
    project = tmp_path / "pinned-random"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: pinned-random\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "requirements.txt").write_text(f"pulumi=={PULUMI}\npulumi-random==4.16.0\n")
    (project / "__main__.py").write_text(
        "import pulumi\nimport pulumi_random as random\n\n"
        "pet = random.RandomPet('name', length=2)\npulumi.export('pet', pet.id)\n"
    )
    return project


def test_a_missing_environment_is_created_from_the_requirements_and_runs_the_program(
    random_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", str(random_project), "--no-policies"]) == 0
    out, err = capsys.readouterr()
    assert "kasbah: creating venv from requirements.txt (pip)..." in err
    assert (
        "Program environment: the project's environment venv (toolchain pip), created from requirements.txt "
        "(Kasbah's own lacks pulumi-random==4.16.0 (not installed)), in a child process"
    ) in out
    assert (random_project / "venv" / "bin" / "python").exists()
    r = preview(random_project, policy_packs=[])
    assert r.environment.startswith("the project's environment venv (toolchain pip), in a child process")
    pet = next(x for x in r.resources if x.type == "random:index/randomPet:RandomPet")
    assert pet.inputs == {"length": 2}
    provider = next(x for x in r.resources if x.type == "pulumi:providers:random")
    assert provider.inputs["version"] == "4.16.0"


def test_requirements_that_cannot_be_installed_are_one_exit_2_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: broken\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "requirements.txt").write_text("pulumi-kasbah-no-such-package==0.0.1\n")
    (project / "__main__.py").write_text("")
    assert main(["preview", str(project), "--no-policies"]) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("kasbah: error:")]
    assert len(lines) == 1
    assert lines[0].startswith(
        "kasbah: error: cannot install the requirements of project broken into venv (pip install -r "
        "requirements.txt): ERROR: "
    )
    assert "pulumi-kasbah-no-such-package" in lines[0]
    assert lines[0].endswith("Fix: correct requirements.txt (or create venv yourself).")
    assert not (project / "venv").exists(), "a half-built environment is removed"


# --- the child process reports exactly what an in-process run reports -------------------------------


@pytest.fixture
def child_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASBAH_PROGRAM_PROCESS", "child")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("sys-exit-0", "kasbah: error: the program of project exits (stack sys-exit-0) called sys.exit(0)"),
        ("sys-exit-3", "called sys.exit(3)"),
        ("os-exit", "called os._exit(0)"),
        ("base-exception", "raised Custom: a BaseException that is not an Exception"),
        ("run-error", "failed: the program refused its inputs"),
        ("log-error", "logged an error: the program logged an error"),
    ],
)
def test_every_way_a_program_stops_in_a_child_process_is_the_same_one_line(
    mode: str, expected: str, child_process: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", str(EXITS), "-s", mode, "--no-policies"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kasbah: error: ") and expected in err[0], err


def test_a_program_traceback_from_a_child_process_shows_program_frames_only(
    child_process: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", str(PROJECTS / "program_error"), "--stack", "dev", "--no-policies"]) == 2
    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith(
        "kasbah: error: the program of project program-error (stack dev) failed: RuntimeError"
    )
    assert any("helper.py" in line for line in rest)
    assert not [ln for ln in rest if "kasbah/engine/" in ln or "site-packages/pulumi/" in ln], rest


def test_the_same_preview_in_process_and_in_a_child_process(monkeypatch: pytest.MonkeyPatch) -> None:
    project = PROJECTS / "transforms"
    here = preview(project, policy_packs=[])
    monkeypatch.setenv("KASBAH_PROGRAM_PROCESS", "child")
    there = preview(project, policy_packs=[])
    assert there.environment.startswith("Kasbah's own interpreter in a child process")
    assert [r.to_json() for r in there.resources] == [r.to_json() for r in here.resources]
    assert there.outputs == here.outputs


def test_a_program_that_never_finishes_in_a_child_process_stops_at_the_timeout() -> None:
    """In the child, the SDK sends a registration when the program yields to the event loop, as under the
    Pulumi CLI: a program that never yields has registered nothing, and the line says so."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kasbah",
            "preview",
            str(EXITS),
            "-s",
            "hang",
            "--no-policies",
            "--timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        env={**_env(), "KASBAH_PROGRAM_PROCESS": "child"},
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "kasbah: error: the program of project exits (stack hang) did not finish within 10 s (--timeout); no "
        "resource was registered\n"
    )


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "KASBAH_PROGRAM_PROCESS"}


def test_an_environment_without_the_pulumi_sdk_is_named(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    project = tmp_path / "nosdk"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        f"name: nosdk\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / "__main__.py").write_text("")
    with pytest.raises(PreviewError) as err:
        preview(project, policy_packs=[])
    assert err.value.message.startswith(f"the project's environment ({venv}/bin/python) has no Pulumi SDK: ")
    assert err.value.message.endswith("Fix: add pulumi to the project's requirements.")
    shutil.rmtree(venv)
