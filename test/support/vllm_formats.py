"""Reads log format strings and metric names out of an installed vLLM package, and formats them.

Run by test/integration/vllm-wheel-formats.test.ts with the python of that vLLM's venv:

    python vllm_formats.py /opt/spark-gateway/vllm-0.31.0/lib/python3.11/site-packages/vllm < checks.json

stdin: a JSON list of checks, each {"name", "files": [paths inside the package], "needle",
"exact": bool, "kind": "percent" | "template" | "brace" | "name" | "dict-keys", "str_args": [...],
"brace_args": {...}}. The source is parsed with `ast` (nothing is imported, so no GPU, torch or
platform is needed); every string constant that contains the needle (equals it, with "exact") is a
match — Python joins adjacent literals, so a format string split over lines is one constant.
Each match is formatted with Python's own semantics: %-format with sample values ("str_args" for
%s in order, 3 for %d, 12.34 for %f), string.Template with the colour names left empty (vLLM's
monochrome logo) and then %-format, or str.format(**brace_args). "dict-keys" instead finds the
assignment of a dict literal to the variable named by the needle and returns its keys, sorted, as
a JSON list (e.g. the registered tool-call parsers).

stdout: a JSON list of {"name", "file", "line", "format", "formatted"} per match, or
{"name", "error"} when no listed file holds the needle or the sample values do not fit.
"""

import ast
import json
import os
import re
import string
import sys

CONVERSION = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def percent_args(fmt, str_args):
    values = []
    strings = iter(str_args)
    for m in CONVERSION.finditer(fmt):
        kind = m.group(1)
        if kind == "%":
            continue
        if kind in "sra":
            values.append(next(strings, "sample"))
        elif kind in "diouxXc":
            values.append(3)
        else:
            values.append(12.34)
    return tuple(values)


def constants(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def dict_keys(path, variable):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            if any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
                keys = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
                return node.lineno, json.dumps(sorted(keys))
    return None


def run(root, checks):
    results = []
    for check in checks:
        if check["kind"] == "dict-keys":
            found = [(rel, dict_keys(os.path.join(root, rel), check["needle"])) for rel in check["files"] if os.path.isfile(os.path.join(root, rel))]
            found = [(rel, hit) for rel, hit in found if hit]
            if found:
                rel, (line, keys) = found[0]
                results.append({"name": check["name"], "file": rel, "line": line, "format": check["needle"], "formatted": keys})
            else:
                results.append({"name": check["name"], "error": "no dict assigned to %s in %s" % (check["needle"], ", ".join(check["files"]))})
            continue
        matches = []
        for rel in check["files"]:
            path = os.path.join(root, rel)
            if not os.path.isfile(path):
                continue
            for line, value in constants(path):
                hit = value == check["needle"] if check.get("exact") else check["needle"] in value
                if hit:
                    matches.append((rel, line, value))
        if not matches:
            results.append({"name": check["name"], "error": "no string constant containing %r in %s" % (check["needle"], ", ".join(check["files"]))})
            continue
        for rel, line, fmt in matches:
            entry = {"name": check["name"], "file": rel, "line": line, "format": fmt}
            try:
                kind = check["kind"]
                if kind == "template":
                    text = string.Template(fmt).safe_substitute(w="", o="", b="", r="")
                    entry["formatted"] = text % percent_args(text, check.get("str_args", []))
                elif kind == "percent":
                    entry["formatted"] = fmt % percent_args(fmt, check.get("str_args", []))
                elif kind == "brace":
                    entry["formatted"] = fmt.format(**check.get("brace_args", {}))
                else:
                    entry["formatted"] = fmt
            except (TypeError, ValueError, KeyError, IndexError) as error:
                entry["error"] = "cannot format with sample values: %s" % error
            results.append(entry)
    return results


if __name__ == "__main__":
    json.dump(run(sys.argv[1], json.load(sys.stdin)), sys.stdout, ensure_ascii=False)
