"""Never a silent pass: every failure is exit 2 with one line; exit 1 means mandatory violations only.

Fixtures: tests/fixtures/projects/exits (one stack per way a program stops), the misbehaving
packs of tests/fixtures/packs, and subprocess runs for Ctrl-C and --timeout.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECTS, REPO_ROOT

from kasbah.cli import main

EXITS = PROJECTS / "exits"
PACKS = FIXTURES / "packs"


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("kasbah: error: "), err
    return err[0]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("sys-exit-0", "the program of project exits (stack sys-exit-0) called sys.exit(0)"),
        ("sys-exit-3", "called sys.exit(3)"),
        ("os-exit", "called os._exit(0)"),
        ("base-exception", "raised Custom: a BaseException that is not an Exception"),
        ("run-error", "failed: the program refused its inputs"),
        ("log-error", "logged an error: the program logged an error"),
    ],
)
def test_every_way_a_program_stops_is_exit_2_with_one_line(
    mode: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", str(EXITS), "-s", mode, "--no-policies"]) == 2
    assert expected in one_line(capsys)


def test_the_same_program_passes_when_it_does_not_stop(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(EXITS), "-s", "ok", "--no-policies"]) == 0
    assert "aws:s3/bucket:Bucket" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        ("exit_on_load", "exit_on_load/__main__.py: the policy pack called sys.exit(0) while loading"),
        ("os_exit_on_load", "os_exit_on_load/__main__.py: the policy pack called os._exit(0) while loading"),
        ("bad_name", "the policy pack failed to load: TypeError: Invalid policy pack name bad name!"),
    ],
)
def test_a_pack_that_exits_or_is_refused_while_loading(
    pack: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["preview", str(EXITS), "-s", "ok", "--policy-pack", str(PACKS / pack)])
    assert code == 2
    assert expected in one_line(capsys)


def test_a_validator_that_raises_names_pack_and_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(EXITS), "-s", "ok", "--policy-pack", str(PACKS / "raising")]) == 2
    line = one_line(capsys)
    assert (
        line == "kasbah: error: policy pack raising: policy explodes raised ValueError: the validator broke"
    )


def test_a_validator_that_exits_names_pack_and_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "raising.json"
    cfg.write_text('{"explodes": {"mode": "exit"}}')
    code = main(
        [
            "preview",
            str(EXITS),
            "-s",
            "ok",
            "--policy-pack",
            str(PACKS / "raising"),
            "--policy-pack-config",
            str(cfg),
        ]
    )
    assert code == 2
    assert one_line(capsys) == "kasbah: error: policy pack raising: policy explodes called sys.exit(0)"


def test_a_stack_file_that_is_not_utf8(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(PROJECTS / "typed_config"), "-s", "latin1", "--no-policies"]) == 2
    line = one_line(capsys)
    assert (
        "Pulumi.latin1.yaml: not UTF-8 (byte 0xe9 on line 5)" in line
        and "save the YAML file as UTF-8" in line
    )


def test_a_policy_config_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "p.json"
    cfg.write_bytes(b'{"all": "advisory", "note": "caf\xe9"}')
    assert (
        main(
            [
                "preview",
                str(EXITS),
                "-s",
                "ok",
                "--policy-pack",
                str(PACKS / "probe"),
                "--policy-pack-config",
                str(cfg),
            ]
        )
        == 2
    )
    assert "p.json: not UTF-8" in one_line(capsys)


# --------------------------------------------------------------------------------------------------
# --output is checked before the run and written atomically


def test_output_that_is_a_directory_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The hanging program would never return: the check must come first.
    assert main(["preview", str(EXITS), "-s", "hang", "--no-policies", "-o", str(tmp_path)]) == 2
    assert one_line(capsys) == f"kasbah: error: --output {tmp_path}: is a directory. Fix: name a file."


def test_output_in_a_missing_folder_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "report.json"
    assert main(["preview", str(EXITS), "-s", "hang", "--no-policies", "-o", str(target)]) == 2
    assert "does not exist. Fix: create it first." in one_line(capsys)
    assert not target.parent.exists()


def test_a_failing_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    target = tmp_path / "report.json"
    assert main(["preview", str(EXITS), "-s", "ok", "--no-policies", "-f", "json", "-o", str(target)]) == 2
    assert (
        one_line(capsys)
        == f"kasbah: error: --output {target}: cannot write the report (No space left on device)"
    )
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------------
# Subprocess runs: Ctrl-C, --timeout, stack references


def kasbah(*args: str) -> list[str]:
    return [sys.executable, "-m", "kasbah", *args]


def interrupt_after(delay: float, args: list[str]) -> tuple[int, str, str, float]:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    time.sleep(delay)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err, time.monotonic() - sent


@pytest.mark.parametrize("delay", [1.0, 2.5, 5.0])
def test_ctrl_c_at_any_moment_exits_130_without_partial_output(delay: float, tmp_path: Path) -> None:
    """Early (imports), during the program (it sleeps after registering), or during a policy.

    (Before the interpreter has installed its handler, in its first tens of milliseconds, the
    operating system's default applies: the process ends by SIGINT, which shells report as 130.)"""
    target = tmp_path / "report.json"
    stack, pack = ("keyboard", "probe") if delay < 5 else ("ok", "slow_policy")
    code, out, err, took = interrupt_after(
        delay,
        kasbah(
            "preview",
            str(EXITS),
            "-s",
            stack,
            "--policy-pack",
            str(PACKS / pack),
            "-f",
            "json",
            "-o",
            str(target),
        ),
    )
    assert code == 130, err
    assert err == "kasbah: interrupted (Ctrl-C)\n"
    assert out == ""
    assert list(tmp_path.iterdir()) == []
    assert took < 20


def test_a_program_that_never_finishes_stops_at_the_timeout_naming_the_last_resource() -> None:
    started = time.monotonic()
    proc = subprocess.run(
        kasbah("preview", str(EXITS), "-s", "hang", "--no-policies", "--timeout", "10"),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "kasbah: error: the program of project exits (stack hang) did not finish within 10 s (--timeout); "
        "the last resource registered was urn:pulumi:hang::exits::aws:s3/bucket:Bucket::last-before-hang\n"
    )
    assert time.monotonic() - started < 60


def test_a_policy_that_never_finishes_stops_at_the_timeout_naming_the_policy() -> None:
    proc = subprocess.run(
        kasbah(
            "preview", str(EXITS), "-s", "ok", "--policy-pack", str(PACKS / "slow_policy"), "--timeout", "10"
        ),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "kasbah: error: the policy analysis did not finish within 10 s (--timeout); "
        "it was running policy pack slow, policy forever\n"
    )


def test_the_default_timeout_is_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["preview", "--help"])
    assert "--timeout SECONDS" in capsys.readouterr().out


def test_a_failing_stack_reference_is_one_line_without_asyncio_noise() -> None:
    proc = subprocess.run(
        kasbah("preview", str(PROJECTS / "stackrefs"), "-s", "ext", "--no-policies"),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(
        "kasbah: error: StackReference 'acme/network/prod' is neither a stack of project"
    )


def test_exit_1_means_mandatory_violations_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preview", str(EXITS), "-s", "ok", "--policy-pack", str(PROJECTS / "policy_pack_fixture")])
    assert code == 1
    assert "MANDATORY" in capsys.readouterr().out


def test_a_pack_whose_config_schema_is_invalid_names_pack_and_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", str(EXITS), "-s", "ok", "--policy-pack", str(PACKS / "bad_schema")]) == 2
    line = one_line(capsys)
    assert line.startswith(
        "kasbah: error: policy pack bad-schema: policy broken has an invalid config schema:"
    )
