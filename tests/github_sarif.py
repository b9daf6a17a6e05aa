"""GitHub code scanning's documented requirements for an uploaded SARIF file, checked directly.

From "SARIF support for code scanning"
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning)
and the upload action's own checks (github/codeql-action ``src/upload-lib.ts``: one run per tool
and category in a file; ``src/fingerprints.ts``: a missing ``primaryLocationLineHash`` is computed
from the source line). Beyond the JSON schema: what makes an alert show on the right line, rank
by severity, and stay one alert per finding.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

MAX_RUNS = 20
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_LOCATIONS = 1_000
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LEVELS = {"error", "warning", "note", "none"}


def problems(sarif: dict[str, Any], root: Path) -> list[str]:
    """Every way ``sarif`` breaks GitHub's requirements; empty when it meets them all."""
    out: list[str] = []
    if sarif.get("version") != "2.1.0":
        out.append("version is not 2.1.0")
    runs = sarif.get("runs") or []
    if not 1 <= len(runs) <= MAX_RUNS:
        out.append(f"{len(runs)} runs (1 to {MAX_RUNS})")
    categories = set()
    for i, run in enumerate(runs):
        where = f"runs[{i}]"
        driver = run.get("tool", {}).get("driver", {})
        category = (driver.get("name"), (run.get("automationDetails") or {}).get("id"))
        if category in categories:
            out.append(f"{where}: a second run of tool and category {category}")
        categories.add(category)
        rules = driver.get("rules") or []
        out += _rules(rules, where)
        out += _results(run.get("results") or [], rules, root, where)
    return out


def _rules(rules: list[dict[str, Any]], where: str) -> list[str]:
    out = []
    if len(rules) > MAX_RULES:
        out.append(f"{where}: {len(rules)} rules")
    ids = [r.get("id", "") for r in rules]
    if len(set(ids)) != len(ids):
        out.append(f"{where}: duplicate rule ids")
    for r in rules:
        rid = r.get("id", "")
        if not RULE_ID.match(rid) or "/" in rid:
            out.append(f"{where}: rule id {rid!r} (a '/' makes it a hierarchical sub-rule id)")
        for key in ("shortDescription", "fullDescription", "help"):
            if not (r.get(key) or {}).get("text", "").strip():
                out.append(f"{where}: rule {rid} has no {key}.text")
        if not (r.get("help") or {}).get("markdown", "").strip():
            out.append(f"{where}: rule {rid} has no help.markdown")
        uri = r.get("helpUri")
        if uri is not None and not str(uri).startswith(("https://", "http://")):
            out.append(f"{where}: rule {rid} helpUri {uri!r} is not absolute")
        props = r.get("properties") or {}
        tags = props.get("tags") or []
        if len(tags) > MAX_TAGS:
            out.append(f"{where}: rule {rid} has {len(tags)} tags")
        score = props.get("security-severity")
        if score is not None:
            try:
                value = float(score)
            except (TypeError, ValueError):
                value = -1.0
            if not isinstance(score, str) or not 0.0 <= value <= 10.0:
                out.append(f"{where}: rule {rid} security-severity {score!r} is not a string score 0.0-10.0")
            if "security" not in tags:
                out.append(f"{where}: rule {rid} has a security-severity but no 'security' tag")
    return out


def _results(results: list[dict[str, Any]], rules: list[dict[str, Any]], root: Path, where: str) -> list[str]:
    out = []
    if len(results) > MAX_RESULTS:
        out.append(f"{where}: {len(results)} results")
    index = {r.get("id"): i for i, r in enumerate(rules)}
    fingerprints: set[tuple[str, str]] = set()
    lines: dict[str, int] = {}
    for j, res in enumerate(results):
        at = f"{where}.results[{j}]"
        rid = res.get("ruleId")
        if rid not in index:
            out.append(f"{at}: ruleId {rid!r} names no rule of the run")
        elif "ruleIndex" in res and res["ruleIndex"] != index[rid]:
            out.append(f"{at}: ruleIndex {res['ruleIndex']} is not rule {rid}'s")
        if res.get("level", "warning") not in LEVELS:
            out.append(f"{at}: level {res.get('level')!r}")
        text = (res.get("message") or {}).get("text", "")
        if not text.strip():
            out.append(f"{at}: no message.text")
        locations = res.get("locations") or []
        if not 1 <= len(locations) <= MAX_LOCATIONS:
            out.append(f"{at}: {len(locations)} locations")
        for loc in locations[:1]:
            out += _physical(loc.get("physicalLocation") or {}, root, lines, at)
        for rel in res.get("relatedLocations") or []:
            out += _physical(rel.get("physicalLocation") or {}, root, lines, f"{at} related")
            if f"]({rel.get('id')})" not in text:
                out.append(f"{at}: related location {rel.get('id')} is not linked from the message")
        fp = (res.get("partialFingerprints") or {}).get("primaryLocationLineHash")
        if not fp:
            out.append(f"{at}: no primaryLocationLineHash (the upload would hash the line: alerts merge)")
        elif (str(rid), fp) in fingerprints:
            out.append(f"{at}: fingerprint {fp} repeated: two findings would be one alert")
        fingerprints.add((str(rid), str(fp)))
        for sup in res.get("suppressions") or []:
            if sup.get("kind") not in ("inSource", "external") or sup.get("status") not in (
                "accepted",
                "underReview",
                "rejected",
            ):
                out.append(f"{at}: suppression {sup}")
            if not str(sup.get("justification", "")).strip():
                out.append(f"{at}: suppression without justification")
    return out


def _physical(loc: dict[str, Any], root: Path, lines: dict[str, int], at: str) -> list[str]:
    uri = (loc.get("artifactLocation") or {}).get("uri", "")
    line = (loc.get("region") or {}).get("startLine")
    if not uri or "://" in uri or uri.startswith("/") or ".." in uri.split("/"):
        return [f"{at}: uri {uri!r} is not relative to the repository root"]
    path = root / uri
    if not path.is_file():
        return [f"{at}: {uri} is not a file of the repository"]
    if uri not in lines:
        lines[uri] = len(path.read_text(encoding="utf-8").splitlines())
    if not isinstance(line, int) or not 1 <= line <= lines[uri]:
        return [f"{at}: startLine {line!r} is not a line of {uri}"]
    return []
