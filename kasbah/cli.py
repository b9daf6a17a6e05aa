"""The ``kasbah`` command line.

Exit codes: 0 no mandatory violation; 1 mandatory violations and nothing else; 2 any
other failure (bad input, a failing program or policy pack, a timeout, an unwritable
``--output``): one clear line, then the tail of the program's traceback when there is
one, never a traceback from inside Kasbah; 130 interrupted (Ctrl-C), with no partial output.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from kasbah import __version__
from kasbah.engine.guards import DEFAULT_TIMEOUT
from kasbah.errors import PreviewError

FORMATS = ("text", "json", "sarif", "markdown")


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


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


def _write(text: str, output: str | None) -> None:
    """Write the report: atomically to a file (a temporary file renamed, so an interrupted or
    failed write leaves no partial report), or to stdout."""
    if not output:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
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


def _policy_configs(args: argparse.Namespace, packs: list[str] | None) -> Any:
    """``--policy-pack-config`` as the CLI reads it: one per ``--policy-pack``, in order.

    With Kasbah's default packs (no ``--policy-pack``), one file applies to every pack.
    """
    configs: list[str] = list(args.policy_config or [])
    if not configs:
        return None
    if packs:
        if len(configs) != len(packs):
            raise PreviewError(
                'the number of "--policy-pack-config" flags must match the number of "--policy-pack" flags '
                f"({len(configs)} and {len(packs)})"
            )
        return configs
    if packs is None and len(configs) == 1:
        return configs[0]
    raise PreviewError(
        '"--policy-pack-config" must be specified with "--policy-pack" (or once, for every default pack)'
    )


def _stack_tags(values: list[str] | None) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PreviewError(f"--stack-tag {item!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


def cmd_preview(args: argparse.Namespace) -> int:
    from kasbah import engine, report

    check_output(args.output)
    packs: list[str] | None
    if args.no_policies:
        packs = []
    elif args.policy_pack:
        packs = list(args.policy_pack)
    else:
        packs = None
    result = engine.preview(
        args.project_dir,
        args.stack,
        config_file=args.config_file,
        policy_packs=packs,
        policy_config=_policy_configs(args, packs),
        stack_outputs=args.stack_outputs,
        progress=True,
        timeout=args.timeout if args.timeout > 0 else None,
        allow_remote_components=args.allow_remote_components,
        stack_tags=_stack_tags(args.stack_tag),
        computed_outputs=args.computed_outputs,
    )
    for note in result.warnings:
        print(f"kasbah: warning: {note}", file=sys.stderr)
    project = Path(args.project_dir).resolve()
    artifact = _artifact_for(project, result.stack, args.config_file)
    _write(report.render(result, args.format, artifact=artifact, wire_outputs=args.wire_outputs), args.output)
    return 1 if result.mandatory else 0


def _artifact_for(project_dir: Path, stack: str, config_file: str | None) -> str:
    from kasbah.project import load_project

    proj = load_project(project_dir)
    path = Path(config_file).resolve() if config_file else proj.stack_file(stack)
    cwd = Path.cwd().resolve()
    try:
        return path.resolve().relative_to(cwd).as_posix()
    except ValueError:
        return path.name


def cmd_list(args: argparse.Namespace) -> int:
    from kasbah.catalog import blueprints, stacks

    root = Path(args.root).resolve()
    lines = ["Blueprints:"]
    lines += [f"  {b.name:<24} {b.description}" for b in blueprints(root)]
    lines += ["", "Stacks:"]
    lines += [f"  {s.name:<24} {s.description}" for s in stacks(root)]
    _write("\n".join(lines), None)
    return 0


def cmd_invokes(args: argparse.Namespace) -> int:
    from kasbah.invokes import describe

    _write("\n".join(f"{tok:<60} {doc}" for tok, doc in describe()), None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kasbah", description="Kasbah: offline Pulumi previews and blueprints."
    )
    parser.add_argument("--version", action="version", version=f"kasbah {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("preview", help="preview a Pulumi Python project offline and run policy packs")
    p.add_argument("project_dir", nargs="?", default=".", help="directory holding Pulumi.yaml (default: .)")
    p.add_argument(
        "--stack", "-s", help="stack name (default: the only stack, or [tool.kasbah] default-stack)"
    )
    p.add_argument(
        "--config-file", help="use this stack config file instead of stackConfigDir/Pulumi.<stack>.yaml"
    )
    p.add_argument("--policy-pack", action="append", metavar="DIR", help="policy pack directory (repeatable)")
    p.add_argument("--no-policies", action="store_true", help="run no policy pack")
    p.add_argument(
        "--policy-pack-config",
        "--policy-config",
        dest="policy_config",
        action="append",
        metavar="FILE",
        help="policy-pack config JSON, once per --policy-pack in the same order (the CLI's flag); with the "
        "default packs, once for all (default: <stackConfigDir>/<stack>.<pack>.policy.json, else <stack>.policy.json)",
    )
    p.add_argument(
        "--stack-outputs", metavar="FILE", help="JSON {stack-reference-name: outputs} for other stacks"
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a program or policy that has not finished (default {DEFAULT_TIMEOUT:g}; 0: no limit)",
    )
    p.add_argument(
        "--allow-remote-components",
        action="store_true",
        help="continue past multi-language (remote) components, which cannot be expanded offline (each is "
        "reported as an advisory: its children were not analyzed)",
    )
    p.add_argument(
        "--stack-tag",
        action="append",
        metavar="KEY=VALUE",
        help="a stack tag set on the backend (pulumi stack tag set), for policies reading args.stack_tags",
    )
    p.add_argument(
        "--computed-outputs",
        choices=("unknown", "absent"),  # kasbah.analysis.COMPUTED_OUTPUTS (not imported: startup time)
        default="unknown",
        help="what stack policies see for a custom resource's computed outputs the program did not set: "
        "'unknown' (default), as the Pulumi CLI sends them; 'absent', the inputs in the output shape, to find "
        "a pack of your own that reads such values and so reaches a different verdict under the CLI",
    )
    p.add_argument("--wire-outputs", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_preview)

    ls = sub.add_parser("list", help="list the blueprints and the stacks, one line each")
    ls.add_argument("--root", default=str(_repo_root()), help="repository root (default: Kasbah's own)")
    ls.set_defaults(func=cmd_list)

    inv = sub.add_parser("invokes", help="list the data-source invokes answered offline")
    inv.set_defaults(func=cmd_invokes)

    _register_extra_commands(sub)
    return parser


def _register_extra_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands contributed by other modules (diff, graph, new, docs), when present."""
    import importlib

    for module in ("kasbah.diff", "kasbah.graph", "kasbah.templates", "kasbah.docs"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        register = getattr(mod, "register_cli", None)
        if register is not None:
            register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    # As the Python language host does: asyncio's complaints about futures a failed program left
    # behind are noise, never the error (pulumi-language-python-exec sets this logger to CRITICAL).
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except PreviewError as err:
        print(f"kasbah: error: {err.message}", file=sys.stderr)
        if err.detail and os.environ.get("KASBAH_QUIET_TRACEBACK") != "1":
            print(err.detail, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("kasbah: interrupted (Ctrl-C)", file=sys.stderr)
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
        print("kasbah: interrupted (Ctrl-C)", file=sys.stderr)
        code = 130
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    if threading.active_count() > 1:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
