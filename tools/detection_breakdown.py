"""detection_breakdown.py -- which injected faults the reconcile misses, and on what.

    python3 tools/detection_breakdown.py WINDOW RUN_DIR...

RUN_DIR: folders of `ledgersim run ... --faults SPEC --seed N --out RUN_DIR`.
For every fault of logs/faults.jsonl that hit a kernel whose last snapshot
was OK (fuzz's "on OK"), it looks for a snapshot that is not OK among the
next WINDOW snapshots (fuzz's detection window) and prints, per kind and
per what the fault hit, how many were injected and how many missed:
corrupt by field; stale_mark, drop and delay by whether the symbol was an
open exchange position before the fault (a mark of a flat symbol moves no
money); orphan_tp_sl by whether the symbol then opened a position (the
entry is adopted, as an executor's TP/SL written before its fill is) on
the side its levels were written for.
One process for every folder: python3 starts slowly here."""
import collections
import json
import sys


def subclass(fault, before, after):
    kind = fault["kind"]
    if kind == "corrupt":
        return "field " + str(fault["params"].get("field"))
    symbol = fault.get("symbol")
    if kind in ("stale_mark", "drop", "delay"):
        held = any(p["symbol"] == symbol for p in before["e"]["positions"])
        return "symbol held" if held else "symbol flat or none"
    if kind == "orphan_tp_sl":
        opened = [p for p in (after["e"]["positions"] if after is not None else []) if p["symbol"] == symbol]
        if not opened:
            return "removed by a sync"
        params = fault["params"]
        long_levels = params.get("tp") is None or params.get("sl") is None or params["tp"] >= params["sl"]
        same = (opened[0]["qty"] > 0) == long_levels
        return "adopted, same side" if same else "adopted, other side"
    return "-"


def main():
    window = int(sys.argv[1])
    injected = collections.Counter()
    missed = collections.Counter()
    for folder in sys.argv[2:]:
        snapshots = {}
        for line in open(folder + "/logs/reconcile.jsonl"):
            snapshot = json.loads(line)
            snapshots[snapshot["event_seq"]] = snapshot
        for line in open(folder + "/logs/faults.jsonl"):
            fault = json.loads(line)
            # faults.jsonl's event_seq is the snapshot the fault's event builds
            before = snapshots.get(fault["event_seq"] - 1)
            if before is None or before["reconcile"]["status"] != "OK":
                continue
            following = [snapshots.get(seq) for seq in range(fault["event_seq"], fault["event_seq"] + window)]
            key = (fault["kind"], subclass(fault, before, following[0]))
            injected[key] += 1
            if not any(s is not None and s["reconcile"]["status"] != "OK" for s in following):
                missed[key] += 1
    print("%-14s %-28s %9s %8s %8s" % ("fault kind", "hit", "on OK", "missed", "caught"))
    for key in sorted(injected):
        caught = 100.0 * (injected[key] - missed[key]) / injected[key]
        print("%-14s %-28s %9d %8d %7.1f%%" % (key[0], key[1], injected[key], missed[key], caught))


main()
