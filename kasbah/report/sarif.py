"""SARIF 2.1.0 for GitHub code scanning: one run per stack, every policy a rule, results on source lines.

What GitHub's "SARIF support for code scanning" asks of a third-party tool
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning),
and what Microsoft's SARIF validator checks with GitHub's rules (``Sarif.Multitool validate
--rule-kind "Gh;Sarif"``, run by ``preview.yml``):

- ``tool.driver.rules`` lists every policy of the packs that ran, fired or not. A rule's id is
  ``<pack>.<policy>`` (no ``/``: SARIF reads a ``/`` in a rule id as a hierarchical sub-rule),
  its name the policy in PascalCase; ``shortDescription``, ``fullDescription`` and ``help``
  (text and Markdown: the fix and the compliance references) come from the pack's metadata,
  never from a violation; ``helpUri`` is the policy's entry in POLICIES.md;
  ``properties.security-severity`` maps the severity to GitHub's scale (critical > 9.0,
  high 7.0-8.9, medium 4.0-6.9, low < 4.0) and ``tags`` include ``security``.
- Each result is located on the line of the program that created the resource (relative to
  the repository root, whatever the working directory), with the component calls above it as
  ``relatedLocations`` the message links to. Its ``partialFingerprints`` hash the rule and the
  URN (``primaryLocationLineHash`` too: left to the upload action, it would hash the line, and
  two resources created on one line of a component would merge into one alert).
- Exempted findings are results with a ``suppressions`` entry (reason, expiry).
- One run per stack, each its own category (``automationDetails.id``): code scanning refuses
  several runs of one tool and category in a file.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from kasbah import REPOSITORY_URL, __version__
from kasbah.engine.model import PolicyDescription
from kasbah.report.model import Finding, FleetReport, StackReport

SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub's security-severity scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, below 4.0 low."""
LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "note", "disabled": "none"}
RULE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_TAGS = 20
"""Code scanning keeps at most 20 tags per rule."""
FINGERPRINT_KEY = "kasbahUrnPolicy/v1"


def rule_id(pack: str, policy: str) -> str:
    rid = f"{pack}.{policy}"
    if not RULE_ID_RE.match(rid):
        rid = re.sub(r"[^A-Za-z0-9._-]", "-", rid).lstrip("-._") or "policy"
    return rid


def pascal(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p) or "Policy"


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text)[:1024]


def _framework(reference: str) -> str:
    return reference.split(":")[0].rsplit(" ", 1)[0].strip() if ":" in reference else reference


def _rule(desc: PolicyDescription) -> dict[str, Any]:
    description = desc.description or f"Policy {desc.policy} of the pack {desc.pack}."
    refs = list(desc.references)
    text = [description]
    md = [description, ""]
    if desc.remediation:
        text.append(f"Fix: {desc.remediation}")
        md += [f"**Fix:** {desc.remediation}", ""]
    if refs:
        text.append("References: " + "; ".join(refs))
        md += ["**References:**", "", *(f"- {r}" for r in refs), ""]
    if desc.url:
        md.append(f"[Policy entry]({desc.url})")
    tags = ["security", desc.pack]
    for ref in refs:
        fw = _framework(ref)
        if fw and fw not in tags:
            tags.append(fw)
    rule: dict[str, Any] = {
        "id": rule_id(desc.pack, desc.policy),
        "name": pascal(desc.policy),
        "shortDescription": {"text": first_sentence(description)},
        "fullDescription": {"text": " ".join(description.split())},
        "help": {"text": "\n".join(text), "markdown": "\n".join(md).strip()},
        "defaultConfiguration": {"level": LEVELS.get(desc.enforcement, "warning")},
        "properties": {
            "tags": tags[:MAX_TAGS],
            "precision": "high",
            "pack": desc.pack,
            "policy": desc.policy,
        },
    }
    if desc.enforcement == "disabled":
        rule["defaultConfiguration"]["enabled"] = False
    if desc.url:
        rule["helpUri"] = desc.url
    if desc.severity in SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = SECURITY_SEVERITY[desc.severity]
    return rule


def fingerprint(rid: str, urn: str) -> str:
    return hashlib.sha256(f"{rid}|{urn}".encode()).hexdigest()


def _location(file: str, line: int) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(line, 1)},
    }


def _result(f: Finding, report: StackReport, index: dict[str, int]) -> dict[str, Any]:
    rid = rule_id(f.pack, f.policy)
    if rid not in index:  # a policy the catalogue does not list (an engine diagnostic): add its rule
        index[rid] = -1
    message = f"{f.resource}: {f.detail or f.message}"
    related = []
    for i, rel in enumerate(f.related, start=1):
        related.append(
            {
                "id": i,
                "physicalLocation": _location(rel.position.file, rel.position.line),
                "message": {"text": f"{rel.label} is created here"},
            }
        )
    if related:
        message += (
            " Created by "
            + ", inside ".join(f"[{f.related[i - 1].label}]({i})" for i in range(1, len(related) + 1))
            + "."
        )
    source = f.source
    file, line = (source.file, source.line) if source else (report.stack_file or "Pulumi.yaml", 1)
    digest = fingerprint(rid, f.urn)
    result: dict[str, Any] = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        "level": LEVELS.get(f.enforcement, "warning"),
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": _location(file, line),
                "logicalLocations": [
                    {"fullyQualifiedName": f.urn or f"stack:{report.stack}", "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: digest, "primaryLocationLineHash": f"{digest[:16]}:1"},
        "properties": {
            "enforcement": f.enforcement,
            "severity": f.severity,
            "stack": report.stack,
            "resourceType": f.type,
            **({"location": f.place.label()} if f.place else {}),
        },
    }
    if related:
        result["relatedLocations"] = related
    if f.suppression is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{f.suppression.reason} (exemption for {f.suppression.target}, "
                f"until {f.suppression.expires})",
            }
        ]
    return result


def _run(report: StackReport) -> dict[str, Any]:
    rules = [_rule(p) for p in report.policies]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_result(f, report, index) for f in [*report.findings, *report.suppressed]]
    for res in results:  # rules for findings of policies the catalogue lacks
        if res["ruleIndex"] == -1:
            f_pack, _, f_policy = res["ruleId"].partition(".")
            if index[res["ruleId"]] == -1:
                index[res["ruleId"]] = len(rules)
                rules.append(
                    _rule(PolicyDescription(f_pack, f_policy, "", res["properties"]["severity"], "advisory"))
                )
            res["ruleIndex"] = index[res["ruleId"]]
    return {
        "tool": {
            "driver": {
                "name": "kasbah",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": REPOSITORY_URL,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"kasbah/{report.project}/{report.stack}/"},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True}],
        "results": results,
        "properties": {"stack": report.stack, "project": report.project, "summary": report.summary()},
    }


def render_sarif(fleet: FleetReport) -> str:
    runs = [_run(s) for s in sorted(fleet.stacks, key=lambda s: s.stack)]
    for failure in fleet.failures:
        runs.append(
            {
                "tool": {
                    "driver": {"name": "kasbah", "version": __version__, "informationUri": REPOSITORY_URL}
                },
                "automationDetails": {"id": f"kasbah/failed/{failure.stack}/"},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "exitCode": failure.exit_code,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"stack {failure.stack}: {failure.error}"}}
                        ],
                    }
                ],
                "results": [],
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False)
