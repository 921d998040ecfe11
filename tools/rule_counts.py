"""rule_counts.py -- kpis_v7.json's per-rule counts recomputed from reconcile.jsonl.

    python3 tools/rule_counts.py OUT_DIR...

For each run folder, counts reconcile.rules{FIELD: {evaluated, ok, warn,
error}} and reconcile.ok|warn|error from logs/reconcile.jsonl as
docs/state-files.md defines them (a rule is evaluated when its delta
is in the snapshot's deltas, R3's open_positions when E reports positions
(seed) or from the first position report on (v2, where position_qty is
evaluated at the same snapshots); warn or error when an explanation names
its field with that severity, the worse of the two when both), and compares
them with logs/state/kpis_v7.json. Prints every difference; exit 1 on any.
One process for every folder: python3 starts slowly here."""
import json
import sys


def severity(label):
    return "error" if label == "ERROR" else "warn"


def count(folder):
    kpis = json.load(open(folder + "/logs/state/kpis_v7.json"))
    stored = kpis["reconcile"]["rules"]
    counts = {field: {"evaluated": 0, "ok": 0, "warn": 0, "error": 0} for field in stored}
    statuses = {"OK": 0, "WARN": 0, "ERROR": 0}
    v2 = "position_qty" in stored
    for line in open(folder + "/logs/reconcile.jsonl"):
        snapshot = json.loads(line)
        reconcile = snapshot["reconcile"]
        statuses[reconcile["status"]] += 1
        evaluated = set(reconcile["deltas"])
        if v2:
            if "position_qty" in evaluated:
                evaluated.add("open_positions")
        elif snapshot["e"]["positions"]:
            evaluated.add("open_positions")
        worst = {}
        for explanation in reconcile["explanations"]:
            parts = explanation.split("|")
            level = severity(parts[0])
            if worst.get(parts[1]) != "error":
                worst[parts[1]] = level
        for field in worst:
            evaluated.add(field)
        for field in evaluated:
            if field not in counts:
                return ["%s: field %s is not in kpis_v7.json" % (folder, field)]
            counts[field]["evaluated"] += 1
            counts[field][worst.get(field, "ok")] += 1
    problems = []
    for field in sorted(counts):
        if counts[field] != stored[field]:
            problems.append("%s: %s: kpis %s, reconcile.jsonl %s" % (folder, field, stored[field], counts[field]))
    for status, key in (("OK", "ok"), ("WARN", "warn"), ("ERROR", "error")):
        if kpis["reconcile"][key] != statuses[status]:
            problems.append("%s: reconcile.%s: kpis %d, reconcile.jsonl %d"
                            % (folder, key, kpis["reconcile"][key], statuses[status]))
    return problems


def main():
    problems = []
    for folder in sys.argv[1:]:
        problems += count(folder)
    for problem in problems:
        print(problem)
    print("rule_counts: %d runs, %d differences" % (len(sys.argv) - 1, len(problems)))
    if problems:
        sys.exit(1)


main()
