"""Repository-level guarantees: the README's quickstart is what CI runs."""

from __future__ import annotations

import re

from conftest import REPO_ROOT


def quickstart_commands() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]


def test_quickstart_has_exactly_two_one_line_commands() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in c for c in commands), commands
    assert commands[0].endswith("kasbah preview")
    assert "pytest" in commands[1] and "ruff check" in commands[1] and "mypy" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim_and_stops_when_it_fails() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    command = quickstart_commands()[1]
    lines = [line for line in ci if line.startswith(command)]
    assert lines, "the README's test command must appear verbatim in .ci/run"
    # `set -e` ignores failures inside an && list: the line must exit on its own when any step fails.
    assert lines[0][len(command) :].startswith(" || {") and "exit 1" in lines[0], lines[0]


def test_ci_previews_every_stack() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "for file in stacks/Pulumi.*.yaml" in ci and 'kasbah preview --stack "$stack"' in ci
