"""Generate POLICIES.md from the policy packs' metadata.

Every pack under ``policies/`` whose ``rules`` module exposes ``PACK_NAME`` and
``POLICIES`` gets a table (id, severity, default enforcement, description,
references, remediation), from :func:`policies.framework.metadata_of`.

    python -m policies.docs           # write POLICIES.md at the repository root
    python -m policies.docs --check   # fail, naming the command, when POLICIES.md is stale
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

from policies.framework import PolicyMeta, metadata_of

ROOT = Path(__file__).resolve().parent.parent
POLICIES_DIR = ROOT / "policies"
OUTPUT = ROOT / "POLICIES.md"
COMMAND = "python -m policies.docs"


def pack_modules() -> list[ModuleType]:
    """The ``policies.<pack>.rules`` module of every pack directory, sorted by pack name."""
    modules = []
    for rules in sorted(POLICIES_DIR.glob("*/rules.py")):
        module = importlib.import_module(f"policies.{rules.parent.name}.rules")
        if hasattr(module, "PACK_NAME") and hasattr(module, "POLICIES"):
            modules.append(module)
    return sorted(modules, key=lambda m: str(m.PACK_NAME))


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(meta: PolicyMeta) -> str:
    primary, *others = meta.references
    cells = [
        f'<a id="{meta.id}"></a>`{meta.id}`',
        meta.severity.value,
        meta.default_enforcement.value,
        meta.description,
        primary.tag(),
        "; ".join(r.tag() for r in others) or "-",
        meta.remediation,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render_policies_md() -> str:
    """POLICIES.md for every pack found under ``policies/``."""
    lines = [
        "# Policies",
        "",
        f"Generated from the packs' metadata by `{COMMAND}`: do not edit by hand.",
        "",
        "Default enforcement is mandatory for critical and high severity, advisory otherwise; a stack",
        "overrides it (or disables a policy) in its `stacks/<stack>.policy.json`. Every policy accepts",
        "`exemptions` (a URN pattern or a tag, a reason and an expiry date) in its configuration.",
        "",
    ]
    for module in pack_modules():
        metas = metadata_of(module.POLICIES)
        lines += [
            f"## Pack `{module.PACK_NAME}`",
            "",
            f"{len(metas)} policies.",
            "",
            "| id | severity | default enforcement | description | primary reference | other references | remediation |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(_row(m) for m in metas),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when POLICIES.md is not current")
    args = parser.parse_args(argv)
    text = render_policies_md()
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.name} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        print(f"{OUTPUT.name} is current")
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
