"""Stack references: answered with the offline previews of this project's stacks, or an outputs file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from kasbah.engine.model import UNKNOWN_MARK, UNKNOWN_SENTINEL, contains_unknown
from kasbah.errors import PreviewError
from kasbah.project import Project

STACK_OUTPUT_UNKNOWN = "[kasbah:stack-output-unknown-during-preview]"


def mark_unknown_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Replace unknown stack outputs by a marker, so that the other outputs stay known.

    The SDK treats a StackReference's whole ``outputs`` map as unknown if any
    value in it is; the engine patches ``get_output``/``require_output`` to turn
    the marker back into an unknown value for that output alone.
    """
    return {k: STACK_OUTPUT_UNKNOWN if contains_unknown(v) else v for k, v in outputs.items()}


@contextlib.contextmanager
def per_output_unknowns() -> Iterator[None]:
    import pulumi
    from pulumi import stack_reference

    cls = stack_reference.StackReference
    original_get, original_require = cls.get_output, cls.require_output

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        def patched(self: Any, name: Any) -> Any:
            out = method(self, name)

            async def known() -> bool:
                return bool(await out.is_known()) and (await out.future()) != STACK_OUTPUT_UNKNOWN

            async def value() -> Any:
                v = await out.future()
                return None if v == STACK_OUTPUT_UNKNOWN else v

            return pulumi.Output(
                out.resources(),
                asyncio.ensure_future(value()),
                asyncio.ensure_future(known()),
                out.is_secret(),
            )

        return patched

    cls.get_output = wrap(original_get)  # type: ignore[method-assign]
    cls.require_output = wrap(original_require)  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.get_output, cls.require_output = original_get, original_require  # type: ignore[method-assign]


class StackReferenceResolver:
    """Answers ``StackReference`` names with the offline preview outputs of this project's stacks."""

    def __init__(self, project: Project, outputs_file: Path | None, chain: Sequence[str] = ()) -> None:
        self.project = project
        self.chain = list(chain)
        self.cache: dict[str, dict[str, Any]] = {}
        self.files: dict[str, Any] = {}
        if outputs_file is not None:
            try:
                data = json.loads(Path(outputs_file).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise PreviewError(f"{outputs_file}: cannot read stack outputs ({exc})") from None
            if not isinstance(data, dict):
                raise PreviewError(f"{outputs_file}: expected an object mapping stack names to outputs")
            self.files = data

    def __call__(self, name: str) -> dict[str, Any]:
        if name in self.files:
            outputs: dict[str, Any] = _to_wire(self.files[name])
            return outputs
        parts = name.split("/")
        stack = parts[-1]
        project = parts[-2] if len(parts) >= 2 else self.project.name
        if project != self.project.name or stack not in self.project.stacks():
            raise PreviewError(
                f"StackReference '{name}' is neither a stack of project {self.project.name} "
                f"(stacks: {', '.join(self.project.stacks()) or 'none'}) nor in --stack-outputs: "
                "pass its outputs with --stack-outputs FILE"
            )
        if stack in self.chain:
            raise PreviewError(f"StackReference cycle: {' -> '.join([*self.chain, stack])}")
        if stack not in self.cache:
            self.cache[stack] = self._preview_outputs(stack)
        return self.cache[stack]

    def _preview_outputs(self, stack: str) -> dict[str, Any]:
        env = dict(os.environ)
        env["KASBAH_STACK_CHAIN"] = ",".join([*self.chain, stack])
        cmd = [
            sys.executable,
            "-m",
            "kasbah",
            "preview",
            str(self.project.dir),
            "--stack",
            stack,
            "--format",
            "json",
            "--no-policies",
            "--wire-outputs",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[0]
            raise PreviewError(f"StackReference to stack '{stack}': its offline preview failed: {last}")
        data = json.loads(proc.stdout)
        outputs: dict[str, Any] = data.get("wire_outputs", data.get("outputs", {}))
        return outputs


def _to_wire(value: Any) -> Any:
    if value == UNKNOWN_MARK:
        return UNKNOWN_SENTINEL
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# Public API
