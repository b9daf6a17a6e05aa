"""Preview reports: text, JSON (versioned, schema in kasbah/schemas), SARIF 2.1.0 and Markdown.

Every format masks secrets: values marked secret print as ``[secret]``, and the plaintext of
any secret the preview saw (``Output.secret``, ``additionalSecretOutputs``) is masked wherever
it appears in inputs, outputs or policy messages. The JSON report is deterministic: two runs
of the same stack write the same bytes (resources by URN, violations sorted, keys sorted).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kasbah import __version__
from kasbah.engine.model import STACK_TYPE, PreviewResult, Violation, mask_text, mask_value

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "preview-v1.schema.json"
SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"]
ENFORCEMENT_ORDER = ["mandatory", "advisory", "remediate", "disabled"]


def _sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    def key(v: Violation) -> tuple[int, int, str, str, str]:
        e = ENFORCEMENT_ORDER.index(v.enforcement) if v.enforcement in ENFORCEMENT_ORDER else 9
        s = SEVERITY_ORDER.index(v.severity) if v.severity in SEVERITY_ORDER else 9
        return (e, s, v.pack, v.policy, v.urn)

    return sorted(violations, key=key)


def _short(urn: str) -> str:
    if not urn:
        return "(stack)"
    parts = urn.split("::")
    return f"{parts[2].split('$')[-1]}::{parts[-1]}" if len(parts) >= 4 else urn


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def render_json(result: PreviewResult, wire_outputs: bool = False) -> str:
    data = result.to_json()
    secrets = result.secrets
    for res in data["resources"]:
        res["inputs"] = _sorted_keys(mask_value(res["inputs"], secrets))
        res["options"] = _sorted_keys(res["options"])
    data["outputs"] = _sorted_keys(mask_value(data["outputs"], secrets))
    for v in data["violations"]:
        v["message"] = mask_text(v["message"], secrets)
    if wire_outputs:
        data["wire_outputs"] = _sorted_keys(result.wire_outputs)
    return json.dumps(data, indent=2, sort_keys=False)


def render_text(result: PreviewResult) -> str:
    lines: list[str] = [f"Previewing {result.project} (stack {result.stack}) offline"]
    if result.environment:
        lines.append(f"Program environment: {result.environment}")
    lines.append("")
    from kasbah.graph import location_of, resources_of

    children: dict[str | None, list[Any]] = defaultdict(list)
    for r in result.resources:
        children[r.parent].append(r)
    placed = {p.urn: p for p in resources_of(result)}

    def where(r: Any) -> str:
        if not r.custom or r.type.startswith("pulumi:"):
            return ""
        _, account, region = location_of(placed[r.urn], placed)
        return f"  [{'stack account' if account == 'default' else account} · {region}]"

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda x: (x.type, x.name)):
            marker = "+" if r.type != STACK_TYPE else " "
            lines.append(f"{'    ' * depth}{marker} {r.type:<60} {r.name}{where(r)}")
            walk(r.urn, depth + 1)

    walk(None, 0)
    lines += ["", "Resources by type:"]
    counts = Counter(r.type for r in result.resources if r.type != STACK_TYPE)
    for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {n:>5}  {t}")
    if result.outputs:
        lines += ["", "Outputs:"]
        for k, v in sorted(result.outputs.items()):
            lines.append(f"  {k}: {json.dumps(_sorted_keys(mask_value(v, result.secrets)))}")
    if result.remediations:
        lines += ["", f"Remediated ({len(result.remediations)}):"]
        for rem in result.remediations:
            lines.append(
                f"  [{rem.pack}/{rem.policy}] {_short(rem.urn)}: {', '.join(rem.properties) or 'no change'}"
            )
    lines += ["", f"Policy packs: {', '.join(f'{n}@{v}' for n, v in result.policy_packs) or 'none'}"]
    grouped: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for v in _sorted_violations(result.violations):
        grouped[(v.enforcement, v.severity)].append(v)
    for (enf, sev), vs in grouped.items():
        lines += ["", f"{enf.upper()} / {sev} ({len(vs)}):"]
        for v in vs:
            msg = " ".join(mask_text(v.message, result.secrets).split())
            lines.append(f"  [{v.pack}/{v.policy}] {_short(v.urn)}")
            lines.append(f"      {msg}")
    lines += [
        "",
        f"{sum(1 for r in result.resources if r.type != STACK_TYPE)} resources, "
        f"{len(result.mandatory)} mandatory violation(s), {len(result.advisory)} advisory",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(result: PreviewResult) -> str:
    n = sum(1 for r in result.resources if r.type != STACK_TYPE)
    status = "❌ blocked" if result.mandatory else "✅ passes"
    out = [
        f"### Kasbah preview: `{result.stack}` ({result.project}) {status}",
        "",
        f"**{n}** resources · **{len(result.mandatory)}** mandatory · **{len(result.advisory)}** advisory · "
        f"packs: {', '.join(f'`{p}@{v}`' for p, v in result.policy_packs) or 'none'}",
        "",
    ]
    if result.violations:
        out += ["| enforcement | severity | policy | resource | message |", "|---|---|---|---|---|"]
        for v in _sorted_violations(result.violations):
            msg = " ".join(mask_text(v.message, result.secrets).split()).replace("|", "\\|")
            out.append(
                f"| {v.enforcement} | {v.severity} | `{v.pack}/{v.policy}` | `{_short(v.urn)}` | {msg} |"
            )
        out.append("")
    counts = Counter(r.type for r in result.resources if r.type != STACK_TYPE)
    out += ["<details><summary>Resources by type</summary>", "", "| count | type |", "|---:|---|"]
    out += [f"| {c} | `{t}` |" for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    out += ["", "</details>", ""]
    return "\n".join(out)


def render_sarif(result: PreviewResult, artifact: str = "Pulumi.yaml") -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for v in _sorted_violations(result.violations):
        rule_id = f"{v.pack}/{v.policy}"
        message = mask_text(v.message, result.secrets)
        first_line = message.splitlines()[0] if message else v.policy
        if rule_id not in rules:
            rules[rule_id] = {
                "id": rule_id,
                "name": v.policy,
                "shortDescription": {"text": first_line},
                "properties": {"severity": v.severity, "pack": v.pack, "tags": ["pulumi-policy", v.pack]},
            }
        level = {"mandatory": "error", "advisory": "warning", "remediate": "note"}.get(v.enforcement, "none")
        fingerprint = hashlib.sha256(f"{rule_id}|{v.urn}".encode()).hexdigest()
        results.append(
            {
                "ruleId": rule_id,
                "level": level,
                "message": {"text": " ".join(message.split())},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": 1},
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": v.urn or f"stack:{result.stack}", "kind": "resource"}
                        ],
                    }
                ],
                "partialFingerprints": {"kasbahUrnPolicy/v1": fingerprint},
                "properties": {"enforcement": v.enforcement, "severity": v.severity, "stack": result.stack},
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kasbah",
                        "version": __version__,
                        "informationUri": "https://github.com/kasbah-cloud/kasbah",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"kasbah/{result.project}/{result.stack}/"},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)


def render(
    result: PreviewResult, fmt: str, *, artifact: str = "Pulumi.yaml", wire_outputs: bool = False
) -> str:
    if fmt == "json":
        return render_json(result, wire_outputs)
    if fmt == "sarif":
        return render_sarif(result, artifact)
    if fmt == "markdown":
        return render_markdown(result)
    return render_text(result)
