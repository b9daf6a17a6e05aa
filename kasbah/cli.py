"""The ``kasbah`` command line (click; the terminal UI is :mod:`kasbah.ui`).

Exit codes: 0 no mandatory violation; 1 mandatory violations and nothing else (``kasbah diff``:
the change introduces mandatory violations); 2 any other failure (bad input, a failing program
or policy pack, a timeout, an unwritable ``--output``): one clear line, then the tail of the
program's traceback when there is one, never a traceback from inside Kasbah; 130 interrupted
(Ctrl-C), with no partial output.

``preview`` and ``diff`` share their options (:func:`preview_options`): project, stack, config
file, policy packs and their configuration, stack outputs and tags, timeout, remote components,
computed outputs, repeatable ``--format``/``--output`` pairs and ``--color``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from kasbah import __version__
from kasbah.engine.guards import DEFAULT_TIMEOUT
from kasbah.entry import INTERRUPTED
from kasbah.errors import PreviewError

FORMATS = ("text", "json", "sarif", "markdown", "github")
COLOR_CHOICES = ("auto", "always", "never")
"""``--color``: auto follows the stream (a terminal, NO_COLOR, FORCE_COLOR); always; never."""
F = TypeVar("F", bound=Callable[..., Any])


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------------------
# Writing reports


def check_output(output: str | None) -> None:
    """Refuse an ``--output`` that cannot be written, before anything runs."""
    if not output:
        return
    path = Path(output)
    if path.is_dir():
        raise PreviewError(f"--output {output}: is a directory. Fix: name a file.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise PreviewError(f"--output {output}: the folder {parent} does not exist. Fix: create it first.")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".kasbah", dir=parent)
    except OSError as exc:
        raise PreviewError(f"--output {output}: cannot write in {parent} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def write_text(text: str, output: str | None) -> None:
    """Write a report: atomically to a file (a temporary file renamed, so an interrupted or
    failed write leaves no partial report), or to stdout."""
    if not output:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    path = Path(output)
    parent = path.parent if str(path.parent) else Path(".")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".kasbah", dir=parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = ""
    except OSError as exc:
        raise PreviewError(f"--output {output}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@dataclass(frozen=True)
class Target:
    """One requested output: a format, and its file (None: stdout)."""

    format: str
    output: str | None


def pair_outputs(formats: Sequence[str], outputs: Sequence[str], allowed: Sequence[str]) -> list[Target]:
    """``--format``/``--output`` pairs: the n-th output is the file of the n-th format; a format
    without one prints to stdout (at most one may). No ``--format``: text."""
    formats = list(formats) or ["text"]
    if len(outputs) > len(formats):
        raise PreviewError(
            f"--output given {len(outputs)} times for {len(formats)} --format: "
            "the n-th --output is the file of the n-th --format. Fix: add a --format before each --output."
        )
    targets = [Target(f, outputs[i] if i < len(outputs) else None) for i, f in enumerate(formats)]
    for t in targets:
        if t.format not in allowed:
            raise PreviewError(f"--format {t.format!r}: one of {', '.join(allowed)}")
    to_stdout = [t.format for t in targets if t.output is None]
    if len(to_stdout) > 1:
        raise PreviewError(
            f"--format {' and '.join(to_stdout)} would both print to stdout. Fix: give all but one an --output FILE."
        )
    seen: set[str] = set()
    for t in targets:
        if t.output is not None:
            key = str(Path(t.output).resolve())
            if key in seen:
                raise PreviewError(f"--output {t.output} is named twice. Fix: one file per --format.")
            seen.add(key)
            check_output(t.output)
    return targets


# --------------------------------------------------------------------------------------------------
# Shared options


def _policy_configs(configs: Sequence[str], packs: list[str] | None) -> Any:
    """``--policy-pack-config`` as the CLI reads it: one per ``--policy-pack``, in order.

    With Kasbah's default packs (no ``--policy-pack``), one file applies to every pack.
    """
    if not configs:
        return None
    if packs:
        if len(configs) != len(packs):
            raise PreviewError(
                'the number of "--policy-pack-config" flags must match the number of "--policy-pack" flags '
                f"({len(configs)} and {len(packs)})"
            )
        return list(configs)
    if packs is None and len(configs) == 1:
        return configs[0]
    raise PreviewError(
        '"--policy-pack-config" must be specified with "--policy-pack" (or once, for every default pack)'
    )


def _stack_tags(values: Sequence[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PreviewError(f"--stack-tag {item!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


@dataclass(frozen=True)
class PreviewOptions:
    """What ``preview`` and ``diff`` share: how to preview a stack, and what to write."""

    project_dir: str
    stack: str | None
    config_file: str | None
    policy_pack: tuple[str, ...]
    no_policies: bool
    policy_config: tuple[str, ...]
    stack_outputs: str | None
    stack_tag: tuple[str, ...]
    timeout: float
    allow_remote_components: bool
    unknown_invokes: bool
    computed_outputs: str
    formats: tuple[str, ...]
    outputs: tuple[str, ...]
    color: str

    @property
    def packs(self) -> list[str] | None:
        if self.no_policies:
            return []
        return list(self.policy_pack) if self.policy_pack else None

    def engine_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`kasbah.engine.preview` (all but project and stack)."""
        packs = self.packs
        return {
            "config_file": self.config_file,
            "policy_packs": packs,
            "policy_config": _policy_configs(self.policy_config, packs),
            "stack_outputs": self.stack_outputs,
            "timeout": self.timeout if self.timeout > 0 else None,
            "allow_remote_components": self.allow_remote_components,
            "unknown_invokes": self.unknown_invokes,
            "stack_tags": _stack_tags(self.stack_tag),
            "computed_outputs": self.computed_outputs,
        }


PREVIEW_OPTION_NAMES = tuple(PreviewOptions.__dataclass_fields__)


def preview_options(formats: Sequence[str]) -> Callable[[F], F]:
    """The options ``preview`` and ``diff`` share (one definition, both commands)."""

    def decorate(fn: F) -> F:
        options = [
            click.argument("project_dir", default=".", required=False, metavar="[PROJECT_DIR]"),
            click.option(
                "--stack", "-s", help="Stack name (default: the only stack, or [tool.kasbah] default-stack)."
            ),
            click.option(
                "--config-file",
                help="Use this stack config file instead of stackConfigDir/Pulumi.<stack>.yaml.",
            ),
            click.option(
                "--policy-pack", multiple=True, metavar="DIR", help="Policy pack directory (repeatable)."
            ),
            click.option("--no-policies", is_flag=True, help="Run no policy pack."),
            click.option(
                "--policy-pack-config",
                "--policy-config",
                "policy_config",
                multiple=True,
                metavar="FILE",
                help="Policy-pack config JSON, once per --policy-pack in the same order (the CLI's flag); with "
                "the default packs, once for all (default: <stackConfigDir>/<stack>.<pack>.policy.json, else "
                "<stack>.policy.json).",
            ),
            click.option(
                "--stack-outputs",
                metavar="FILE",
                help="JSON {stack-reference-name: outputs} for other stacks.",
            ),
            click.option(
                "--stack-tag",
                multiple=True,
                metavar="KEY=VALUE",
                help="A stack tag set on the backend (pulumi stack tag set), for policies reading args.stack_tags.",
            ),
            click.option(
                "--timeout",
                type=float,
                default=DEFAULT_TIMEOUT,
                show_default=True,
                metavar="SECONDS",
                help="Stop a program or policy that has not finished (0: no limit).",
            ),
            click.option(
                "--allow-remote-components",
                is_flag=True,
                help="Continue past multi-language (remote) components, which cannot be expanded offline (each "
                "is reported as an advisory: its children were not analyzed).",
            ),
            click.option(
                "--unknown-invokes",
                is_flag=True,
                help="Answer an invoke that has no canned answer with unknown values instead of failing (each "
                "such invoke is reported as an advisory; policies reading what it returned cannot decide).",
            ),
            click.option(
                "--computed-outputs",
                type=click.Choice(["unknown", "absent"]),
                default="unknown",
                show_default=True,
                help="What stack policies see for a custom resource's computed outputs the program did not set: "
                "'unknown' (default), as the Pulumi CLI sends them; 'absent', the inputs in the output shape, to "
                "find a pack of your own that reads such values and so reaches a different verdict under the CLI.",
            ),
            click.option(
                "--format",
                "-f",
                "formats",
                multiple=True,
                type=click.Choice(list(formats)),
                help="Report format (repeatable, default text): "
                + ", ".join(formats)
                + ". The n-th --output is the file of the n-th --format; one format may print to stdout.",
            ),
            click.option(
                "--output",
                "-o",
                "outputs",
                multiple=True,
                metavar="FILE",
                help="Write the matching --format here instead of stdout (repeatable).",
            ),
            color_option,
        ]
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


color_option = click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help="Colour: auto follows the terminal, NO_COLOR and FORCE_COLOR.",
)


def options_from(kwargs: dict[str, Any]) -> PreviewOptions:
    return PreviewOptions(**{k: kwargs.pop(k) for k in PREVIEW_OPTION_NAMES})


# --------------------------------------------------------------------------------------------------
# Commands


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    help="Kasbah: offline Pulumi previews, policy packs and blueprints.",
)
@click.version_option(__version__, "--version", prog_name="kasbah", message="%(prog)s %(version)s")
def cli() -> None:
    pass


@cli.command("preview", help="Preview a Pulumi Python project offline and run policy packs on it.")
@preview_options(FORMATS)
@click.option("--all", "all_stacks", is_flag=True, help="Preview every stack of the project into one report.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel previews with --all (default: one per core).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="With --all: preview only the K-th of N equal shares of the stacks (a CI matrix).",
)
@click.option("--wire-outputs", is_flag=True, hidden=True)
def preview_cmd(**kwargs: Any) -> int:
    from kasbah import fleet

    opts = options_from(kwargs)
    targets = pair_outputs(opts.formats, opts.outputs, FORMATS)
    if kwargs["all_stacks"]:
        if opts.stack or opts.config_file:
            raise PreviewError("--all previews every stack: drop --stack and --config-file")
        return fleet.preview_all(opts, targets, jobs=kwargs["jobs"], shard=kwargs["shard"])
    if kwargs["shard"] or kwargs["jobs"]:
        raise PreviewError("--jobs and --shard go with --all")
    return fleet.preview_one(opts, targets, wire_outputs=kwargs["wire_outputs"])


@cli.command("render", help="Render saved JSON reports (kasbah preview -f json) in other formats, merged.")
@click.argument("reports", nargs=-1, required=True, metavar="REPORT.json...")
@click.option(
    "--diff",
    "diffs",
    multiple=True,
    metavar="FILE",
    help="Saved `kasbah diff -f json` output for the comment's changes (repeatable).",
)
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice([*FORMATS, "comment"]),
    help="Format (repeatable): the preview formats, or comment (the PR comment, shortened to --max-chars).",
)
@click.option(
    "--output", "-o", "outputs", multiple=True, metavar="FILE", help="File of the matching --format."
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1000),
    default=None,
    help="Size limit of the comment (default: GitHub's 65,536), counted in UTF-8 bytes.",
)
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when a stack has mandatory violations, 2 when one failed."
)
@color_option
def render_cmd(
    reports: tuple[str, ...],
    diffs: tuple[str, ...],
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    max_chars: int | None,
    exit_code: bool,
    color: str,
) -> int:
    from kasbah import fleet

    targets = pair_outputs(formats, outputs, [*FORMATS, "comment"])
    return fleet.render_saved(list(reports), list(diffs), targets, color, max_chars, exit_code)


@cli.command(
    "diff", help="What a change does to a stack: previews at a git ref and of the working tree, compared."
)
@preview_options(("text", "markdown", "json"))
@click.option("--base", required=True, metavar="GIT_REF", help="The revision to compare against.")
@click.option(
    "--report",
    "head_report",
    metavar="FILE",
    help="The working tree's saved preview (kasbah preview -f json, one stack or --all) instead of previewing it again.",
)
@click.option(
    "--all",
    "all_stacks",
    is_flag=True,
    help="Every stack of the project (one JSON document with --format json).",
)
def diff_cmd(**kwargs: Any) -> int:
    from kasbah.diff import run_diff_command

    opts = options_from(kwargs)
    targets = pair_outputs(opts.formats, opts.outputs, ("text", "markdown", "json"))
    return run_diff_command(opts, targets, kwargs["base"], kwargs["head_report"], kwargs["all_stacks"])


def _wrap_description(name: str, desc: str, width: int) -> list[str]:
    """``name  description`` wrapped at word boundaries (never cut mid-sentence) to ``width``."""
    import textwrap

    pad = " " * 27
    return textwrap.wrap(
        desc or "-", width=max(width, 60), initial_indent=f"  {name:<24} ", subsequent_indent=pad
    ) or [f"  {name}"]


@cli.command("list", help="List the blueprints and the stacks with their descriptions.")
@click.option(
    "--root", default=str(_repo_root()), show_default=False, help="Repository root (default: Kasbah's own)."
)
@color_option
def list_cmd(root: str, color: str) -> int:
    from kasbah.catalog import blueprints, stacks
    from kasbah.ui import console

    con = console(color)
    width = con.width if con.is_terminal else 100
    base = Path(root).resolve()
    lines = ["Blueprints:"]
    for b in blueprints(base):
        lines += _wrap_description(b.name, b.description, width)
    lines += ["", "Stacks:"]
    for s in stacks(base):
        lines += _wrap_description(s.name, s.description, width)
    write_text("\n".join(lines), None)
    return 0


@cli.command("invokes", help="List the data-source invokes answered offline.")
def invokes_cmd() -> int:
    from kasbah.invokes import describe

    write_text("\n".join(f"{tok:<60} {doc}" for tok, doc in describe()), None)
    return 0


@cli.command("graph", help="The resource graph of the offline preview (by location and component).")
@click.argument("project_dir", default=".", required=False, metavar="[PROJECT_DIR]")
@click.option("--stack", "-s", help="Stack name (default: as for `kasbah preview`).")
@click.option(
    "--config-file", help="Use this stack config file instead of stackConfigDir/Pulumi.<stack>.yaml."
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Show at most N levels of components (default: the deepest level whose graph has at most 60 nodes).",
)
@click.option("--output", "-o", metavar="FILE", help="Write the graph here instead of stdout.")
def graph_cmd(
    project_dir: str,
    stack: str | None,
    config_file: str | None,
    fmt: str,
    depth: int | None,
    output: str | None,
) -> int:
    from kasbah.graph import run_graph

    return run_graph(project_dir, stack, config_file, fmt, depth, output)


@cli.command("new", help="Copy a blueprint as a standalone Pulumi project (like `pulumi new`).")
@click.argument("blueprint", metavar="BLUEPRINT")
@click.argument("dest", metavar="DIR")
@click.option("--name", help="Project name (default: the directory's name).")
@click.option("--stack", default="dev", show_default=True, help="Stack whose config file is written.")
@click.option(
    "--config",
    "-c",
    "config",
    multiple=True,
    metavar="KEY=VALUE",
    help="Config value overriding the template's default (repeatable; KEY without namespace is kasbah:KEY).",
)
@click.option(
    "--yes", "-y", is_flag=True, help="Take every prompt's default without asking (as pulumi new --yes)."
)
def new_cmd(
    blueprint: str, dest: str, name: str | None, stack: str, config: tuple[str, ...], yes: bool
) -> int:
    from kasbah.templates import run_new

    return run_new(blueprint, dest, name, stack, config, yes)


@cli.command("docs", help="Regenerate the blueprint README tables and diagrams and POLICIES.md.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing stale files.")
@click.option(
    "--root", "root_dir", default=str(_repo_root()), help="Repository root (default: Kasbah's own)."
)
def docs_cmd(check: bool, root_dir: str) -> int:
    from kasbah.docs import run_docs

    return run_docs(check, root_dir)


@cli.command(
    "residency",
    help="Where each class of data lives and is copied, across every stack (text, markdown, html, json).",
)
@click.argument("stacks", nargs=-1, metavar="[STACK]...")
@click.option(
    "--root",
    "root_dir",
    default=str(_repo_root()),
    help="Project root holding stacks/ (default: Kasbah's own).",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json"]),
    default="text",
    show_default=True,
)
@click.option("--output", "-o", metavar="FILE", help="Write the report here instead of stdout.")
def residency_cmd(stacks: tuple[str, ...], root_dir: str, fmt: str, output: str | None) -> int:
    from kasbah.residency import run_residency

    return run_residency(stacks, root_dir, fmt, output)


# --------------------------------------------------------------------------------------------------
# Entry points


def _usage_line(exc: click.UsageError) -> str:
    message = " ".join(exc.format_message().split())
    cmd = exc.ctx.command_path if exc.ctx is not None else "kasbah"
    return f"{message} (see `{cmd} --help`)"


def main(argv: Sequence[str] | None = None) -> int:
    # As the Python language host does: asyncio's complaints about futures a failed program left
    # behind are noise, never the error (pulumi-language-python-exec sets this logger to CRITICAL).
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # Not click's main(): it prints a blank line on Ctrl-C before our one-line message.
        with cli.make_context("kasbah", args) as ctx:
            code = cli.invoke(ctx)
        return int(code or 0)
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except PreviewError as err:
        print(f"kasbah: error: {err.message}", file=sys.stderr)
        if err.detail and os.environ.get("KASBAH_QUIET_TRACEBACK") != "1":
            print(err.detail, file=sys.stderr)
        return err.exit_code
    except click.UsageError as exc:
        print(f"kasbah: error: {_usage_line(exc)}", file=sys.stderr)
        return 2
    except click.ClickException as exc:
        print(f"kasbah: error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        return exc.exit_code if exc.exit_code else 2
    except (KeyboardInterrupt, click.Abort):
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a defect of Kasbah itself: one line, the traceback only on request
        if os.environ.get("KASBAH_DEBUG") == "1":
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"kasbah: error: internal error: {type(exc).__name__}: {first} (KASBAH_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 2


def entry(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script: ``main``, then an exit that never waits for a program's stuck threads.

    A program stopped by Ctrl-C or ``--timeout`` may leave worker threads blocked (an invoke
    or an apply that never returns); the interpreter would wait for them at exit. So once
    the report is written and the streams flushed, the process ends at once.
    """
    try:
        code = main(argv)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if threading.active_count() > 1:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
