"""The ``kasbah`` command line.

Exit codes: 0 no mandatory violation; 1 mandatory violations; 2 bad input
(no Pulumi.yaml, unknown stack, malformed YAML or JSON, a configuration error,
an exception in the program): one clear line, then the tail of the program's
traceback when there is one. Never a traceback from inside Kasbah.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kasbah import __version__
from kasbah.errors import PreviewError

FORMATS = ("text", "json", "sarif", "markdown")


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_preview(args: argparse.Namespace) -> int:
    from kasbah import engine, report

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
        policy_config=args.policy_config,
        stack_outputs=args.stack_outputs,
        progress=True,
    )
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
        "--policy-config",
        metavar="FILE",
        help="policy-pack config JSON (default: stacks/<stack>.policy.json)",
    )
    p.add_argument(
        "--stack-outputs", metavar="FILE", help="JSON {stack-reference-name: outputs} for other stacks"
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
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
        print("kasbah: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
