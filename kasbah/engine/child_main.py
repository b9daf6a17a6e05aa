"""Runs a Pulumi Python program in its project's own interpreter, connected to Kasbah's monitor over gRPC.

Kasbah starts this file with the project's interpreter (``python -u child_main.py ...``), as
Pulumi's Python language host starts its ``pulumi-language-python-exec`` shim: the SDK's
settings are built from the monitor and engine addresses, the project, stack, organization
and parallelism; the configuration comes from ``PULUMI_CONFIG`` and
``PULUMI_CONFIG_SECRET_KEYS``; the program runs in ``run_in_stack`` with asyncio's logger
silenced. The outcome is written as JSON to ``--result`` for Kasbah to report (one line).

This file imports nothing from Kasbah (Kasbah is not installed in the project's environment)
and keeps to syntax every supported Python understands.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import runpy
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or os.getcwd()) == HERE:
    # The script's own directory (Kasbah's engine package) must not shadow the program's modules.
    del sys.path[0]

INTERNAL = (
    os.sep + "pulumi" + os.sep,
    "<frozen runpy>",
    os.sep + "runpy.py",
    os.sep + "asyncio" + os.sep,
    HERE,
)


def _write(path: str, data: dict[str, Any]) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def _program_traceback(exc: BaseException, lines: int = 12) -> str:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if not any(i in f.filename for i in INTERNAL)
    ]
    text = "Traceback (most recent call last, program frames only):\n" + "".join(
        traceback.format_list(frames)
    )
    text += "".join(traceback.format_exception_only(type(exc), exc))
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _chain(exc: BaseException) -> list[dict[str, str]]:
    out: list[tuple[BaseException, str]] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not seen for seen, _ in out):
        out.append((cur, f"{type(cur).__module__}.{type(cur).__qualname__}"))
        cur = cur.__cause__ or cur.__context__
    return [{"type": name, "message": str(e)} for e, name in out]


UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _usable_unknowns() -> None:
    """``--unknown-invokes``, as Kasbah's in-process runs do (``kasbah.engine.runtime.unknown_results``):
    an unknown in an invoke result is falsy, and formatted into a string it is the unknown marker."""
    try:
        from pulumi.output import Unknown
    except ImportError:
        return
    patches: dict[str, Any] = {
        "__bool__": lambda self: False,
        "__str__": lambda self: UNKNOWN_SENTINEL,
        "__repr__": lambda self: UNKNOWN_SENTINEL,
        "__format__": lambda self, spec: UNKNOWN_SENTINEL,
    }
    for name, method in patches.items():
        setattr(Unknown, name, method)


def _stack_references_per_output() -> None:
    """``StackReference.get_output``/``require_output``/``get_output_details`` read output by output, as
    Kasbah's in-process runs do (:mod:`kasbah.engine.stackrefs`): a known output of a referenced stack
    stays known though another of its outputs is unknown offline. Left as the SDK has it when its
    internals differ."""
    try:
        from pulumi import Output, stack_reference
        from pulumi.output import contains_unknowns
    except ImportError:
        return
    cls = stack_reference.StackReference

    def lookup(self: Any, name: Any, required: bool) -> Any:
        name_out = Output.from_input(name)

        async def entry() -> tuple[str, Any, bool]:
            key = str(await name_out.future())
            outputs = await self.outputs.future(with_unknowns=True) or {}
            if key not in outputs:
                if required:
                    stack = await self.name.future()
                    raise KeyError(f"Required output '{key}' does not exist on stack '{stack}'.")
                return key, None, False
            return key, outputs[key], contains_unknowns(outputs[key])

        found = asyncio.ensure_future(entry())

        async def value() -> Any:
            _, raw, unknown = await found
            return None if unknown else raw

        async def known() -> bool:
            return not (await found)[2]

        async def secret() -> bool:
            key = (await found)[0]
            names = (
                await self.secret_output_names.future() if await self.secret_output_names.is_known() else []
            )
            return key in (names or [])

        async def resources() -> set[Any]:
            return set(await name_out.resources()) | {self}

        return Output(
            asyncio.ensure_future(resources()),
            asyncio.ensure_future(value()),
            asyncio.ensure_future(known()),
            asyncio.ensure_future(secret()),
        )

    async def details(self: Any, name: str) -> Any:
        out = lookup(self, name, False)
        if not await out.is_known():
            return stack_reference.StackReferenceOutputDetails()
        value = await out.future()
        if await out.is_secret():
            return stack_reference.StackReferenceOutputDetails(secret_value=value)
        return stack_reference.StackReferenceOutputDetails(value=value)

    patches: dict[str, Any] = {
        "get_output": lambda self, name: lookup(self, name, False),
        "require_output": lambda self, name: lookup(self, name, True),
    }
    if hasattr(stack_reference, "StackReferenceOutputDetails"):
        patches["get_output_details"] = details
    for attr, method in patches.items():
        setattr(cls, attr, method)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--monitor", required=True)
    ap.add_argument("--engine", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--stack", required=True)
    ap.add_argument("--organization", default="organization")
    ap.add_argument("--root_directory", default=None)
    ap.add_argument("--pwd", default=None)
    ap.add_argument("--parallel", type=int, default=16)
    ap.add_argument("--result", required=True)
    ap.add_argument("--unknown-invokes", action="store_true")
    ap.add_argument("PROGRAM")
    args = ap.parse_args()

    try:
        import pulumi
        import pulumi.runtime
    except ImportError as exc:
        _write(args.result, {"status": "no-sdk", "message": str(exc), "python": sys.executable})
        return 3

    config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    secret_keys = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    if hasattr(pulumi.runtime, "set_all_config"):
        pulumi.runtime.set_all_config(config, secret_keys)
    else:
        for key, value in config.items():
            pulumi.runtime.set_config(key, value)

    kwargs = {
        "monitor": args.monitor,
        "engine": args.engine,
        "project": args.project,
        "stack": args.stack,
        "parallel": args.parallel,
        "dry_run": True,
        "organization": args.organization,
        "root_directory": args.root_directory,
    }
    accepted = inspect.signature(pulumi.runtime.Settings.__init__).parameters
    settings = pulumi.runtime.Settings(**{k: v for k, v in kwargs.items() if k in accepted})
    pulumi.runtime.configure(settings)
    _stack_references_per_output()
    if args.unknown_invokes:
        _usable_unknowns()

    if args.pwd:
        os.chdir(args.pwd)
    program = os.path.abspath(args.PROGRAM)
    sys.argv = [program]
    if os.path.isfile(program):
        sys.path.insert(0, os.path.dirname(program))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(max_workers=max(args.parallel, 1) * 4)
    loop.set_default_executor(executor)
    # As the language host does: asyncio's complaints about futures a failed program left behind are noise.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    def run() -> None:
        runpy.run_path(program, run_name="__main__")

    outcome: dict[str, Any] = {"status": "ok"}
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(run))
    except KeyboardInterrupt:
        outcome = {"status": "interrupted"}
    except SystemExit as exc:
        outcome = {
            "status": "exit",
            "code": exc.code if isinstance(exc.code, (int, type(None))) else str(exc.code),
        }
    except pulumi.RunError as exc:
        outcome = {"status": "run-error", "message": str(exc)}
    except BaseException as exc:
        outcome = {
            "status": "exception",
            "type": type(exc).__name__,
            "message": str(exc),
            "chain": _chain(exc),
            "traceback": _program_traceback(exc),
            "base": not isinstance(exc, Exception),
        }
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    _write(args.result, outcome)
    executor.shutdown(wait=False)
    sys.stdout.flush()
    sys.stderr.flush()
    # The SDK's worker threads may still wait on the monitor; the outcome is written, so end now.
    os._exit(0)
    return 0  # unreachable: os._exit ends the process


if __name__ == "__main__":
    sys.exit(main())
