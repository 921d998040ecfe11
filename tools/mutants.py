#!/usr/bin/env python3
"""mutants.py -- mutation testing of core/ and sim/ (`make mutants`).

Each mutant is one small change to one line of a C file:
  relational  a comparison flipped at its boundary or negated
              (< <=, <= <, > >=, >= >, == !=, != ==)
  constant    a numeric literal moved by one (N -> N+1; a float x -> (x + 1))
  drop        an expression statement removed (replaced by `;`)
  sign        a binary + and - swapped (also += and -=)
Lines inside comments, preprocessor lines, asserts, prefetch hints and
string literals are left alone. Every mutant is built in a copy of the tree (BUILD dir inside
it, never the caller's) and run against a fast suite WITHOUT tests/digests.sh,
stage by stage, cheapest first, stopping at the first failure:
  1. the mutated module's own unit test (built alone: the cheap kill)
  2. `ledgersim check scenarios/*.csv` (the expect rows), then
     tests/bad_inputs.sh, tests/seed_oracle.sh (ORACLE_SEEDS=2),
     tests/output_oracle.sh, tests/simulator_oracle.sh
  3. every other unit test binary that links the mutated file's object
     (build/tests/test_*, found with nm in the unmutated build; a binary
     without the object cannot run the mutant; test_number_equivalence,
     slow, only for mutants of core/number.c, the one file it tests)
A mutant that does not compile is "stillborn" (not counted); one that makes
a stage time out is killed. One whose object file is byte for byte the
unmutated one (the compiler folded the change away) is "equivalent" with
that reason, before any test runs. A surviving mutant listed in
tests/mutants/equivalent.txt (FILE, TAB, the mutated line stripped - for a
dropped statement 'drop: ' and the line dropped - TAB, why it cannot change
behaviour) is counted as equivalent, not as a survivor.

  tools/mutants.py [--sample N] [--seed S] [--jobs J] [--list] [--retest LOG] [--resume LOG] [FILE.c...]
    default files: core/*.c sim/*.c; --sample N: N mutants drawn with seed S
    (default 1); --list: print the mutants without running them; --retest
    LOG: only those an earlier run's output LOG lists as survived (after a
    new test, to see which it kills); --resume LOG (repeatable): all but those
    the LOGs already give a verdict (a run stopped half-way goes on).
Prints one line per mutant, then the score and every survivor; exit 0
(the score is a measurement; `--require-all` exits 1 on any survivor).
"""
from __future__ import annotations

import argparse
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EQUIVALENT_FILE = "tests/mutants/equivalent.txt"
# A stage of the unmutated tree takes at most ~8 s here (test_number_equivalence,
# under load): a mutant that loops is killed after 60 s instead of 300.
STAGE_TIMEOUT_SECONDS = 60
BUILD_TIMEOUT_SECONDS = 600


@dataclass
class Mutant:
    path: str
    line: int          # 1-based
    column: int
    operator: str
    original: str      # the whole original line
    mutated: str       # the whole mutated line

    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.operator}: {self.original.strip()}  =>  {self.mutated.strip()}"


# ---------------------------------------------------------------------------
# Finding mutation sites
# ---------------------------------------------------------------------------

RELATIONAL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
RELATIONAL_PATTERN = re.compile(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])")
NUMBER_PATTERN = re.compile(r"(?<![\w.])((?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)([uUlLfF]*)(?![\w.])")
SIGN_PATTERN = re.compile(r"(?<=[\w\)\]] )([+-])(=?)(?= )")
DECLARATION = re.compile(r"^\s*(?:static\s+|const\s+|unsigned\s+|struct\s+)*[A-Za-z_]\w*\s+\**\s*[A-Za-z_]\w*\s*(?:=|\[|;|,)")
KEYWORD_START = re.compile(r"^\s*(return|break|continue|case|default|goto|if|else|for|while|do|switch|typedef|enum|"
                           r"static|const|extern|struct|union)\b")


def code_mask(lines: List[str]) -> List[str]:
    """Each line with comments and string/char literals blanked (same length)."""
    masked = []
    in_comment = False
    for line in lines:
        out = []
        index = 0
        while index < len(line):
            if in_comment:
                end = line.find("*/", index)
                if end < 0:
                    out.append(" " * (len(line) - index))
                    index = len(line)
                else:
                    out.append(" " * (end + 2 - index))
                    index = end + 2
                    in_comment = False
                continue
            char = line[index]
            if line.startswith("/*", index):
                in_comment = True
                continue
            if line.startswith("//", index):
                out.append(" " * (len(line) - index))
                break
            if char in "\"'":
                end = index + 1
                while end < len(line) and line[end] != char:
                    end += 2 if line[end] == "\\" else 1
                out.append(char + " " * (min(end, len(line) - 1) - index - 1) + (char if end < len(line) else ""))
                index = end + 1
                continue
            out.append(char)
            index += 1
        masked.append("".join(out)[:len(line)].ljust(len(line)))
    return masked


def skip_line(code: str) -> bool:
    stripped = code.strip()
    # A prefetch is a hint without semantics (GCC manual, __builtin_prefetch):
    # no change to its address can change an output.
    return (stripped == "" or stripped.startswith("#") or "assert(" in stripped or "static_assert" in stripped
            or stripped.startswith("_Static_assert") or "__builtin_prefetch(" in stripped)


def mutants_of(path: str) -> List[Mutant]:
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    masked = code_mask(lines)
    found: List[Mutant] = []
    depth = 0  # brace depth: only lines inside function bodies are mutated
    for number, (line, code) in enumerate(zip(lines, masked), start=1):
        inside = depth > 0
        depth += code.count("{") - code.count("}")
        if not inside or skip_line(code):
            continue
        def add(operator: str, start: int, end: int, replacement: str) -> None:
            found.append(Mutant(path, number, start + 1, operator, line, line[:start] + replacement + line[end:]))
        for match in RELATIONAL_PATTERN.finditer(code):
            token = match.group(1)
            if token in ("<", ">") and ("#include" in code or code[max(0, match.start() - 1)] == "-"):
                continue
            add("relational", match.start(1), match.end(1), RELATIONAL[token])
        for match in NUMBER_PATTERN.finditer(code):
            text, suffix = match.group(1), match.group(2)
            if re.search(r"sizeof\s*\(?\s*[\w\->.]+\[$", code[:match.start()]):
                continue  # sizeof x[0]: the operand is not evaluated, any index is the same
            if re.fullmatch(r"\d+", text):
                add("constant", match.start(1), match.end(2), str(int(text) + 1) + suffix)
            else:
                add("constant", match.start(1), match.end(2), f"({text}{suffix} + 1)")
        for match in SIGN_PATTERN.finditer(code):
            sign, assign = match.group(1), match.group(2)
            add("sign", match.start(1), match.end(2), ("-" if sign == "+" else "+") + assign)
        stripped = code.strip()
        if (stripped.endswith(";") and stripped.count(";") == 1 and "{" not in stripped and "}" not in stripped
                and not KEYWORD_START.match(code) and not DECLARATION.match(code)
                and (re.search(r"(?<![=!<>])=(?!=)|\+\+|--|\w\s*\(", stripped))
                and not stripped.startswith("(void)")):
            indent = len(line) - len(line.lstrip())
            found.append(Mutant(path, number, indent + 1, "drop", line, line[:indent] + ";"))
    return found


# ---------------------------------------------------------------------------
# Equivalent mutants
# ---------------------------------------------------------------------------

def equivalent_key(mutant: Mutant) -> Tuple[str, str]:
    """How tests/mutants/equivalent.txt names a mutant: its file and its
    mutated line; a dropped statement (every one reads ';') as
    'drop: ' and the line it dropped."""
    if mutant.operator == "drop":
        return mutant.path, "drop: " + mutant.original.strip()
    return mutant.path, mutant.mutated.strip()


def load_equivalent() -> Dict[Tuple[str, str], str]:
    """(file, mutated line stripped) -> why it is equivalent."""
    table: Dict[Tuple[str, str], str] = {}
    path = os.path.join(ROOT, EQUIVALENT_FILE)
    if not os.path.exists(path):
        return table
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if line.strip() == "" or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].strip():
                sys.exit(f"{EQUIVALENT_FILE}:{number}: expected FILE<TAB>MUTATED LINE<TAB>REASON")
            table[(parts[0], parts[1].strip())] = parts[2].strip()
    return table


# ---------------------------------------------------------------------------
# Building and running one mutant
# ---------------------------------------------------------------------------

def tracked_files() -> List[str]:
    result = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE, check=True)
    return [name for name in result.stdout.decode().split("\0") if name and os.path.exists(os.path.join(ROOT, name))]


def make_copy(directory: str) -> None:
    """The tracked files of the tree (as they are on disk) under directory."""
    for name in tracked_files():
        target = os.path.join(directory, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), target)


RUNNING: set = set()          # sessions of the stages under way (killed on the way out)
# Set when the run is stopped (SIGTERM, SIGINT): the stages it kills then fail,
# and a worker must not print that as a verdict (a stopped run once logged
# its last mutants as killed, and --resume trusted them).
STOPPING = threading.Event()
RUNNING_LOCK = threading.Lock()


def run(command: List[str], cwd: str, timeout: int, env: Optional[Dict[str, str]] = None) -> Tuple[str, str]:
    """("ok" | "fail" | "timeout", the last lines of output). The command runs
    in its own session, killed whole on a timeout: Check forks a child per
    test into a process group of its own, and a mutant's endless loop lived
    on in that child after its parent was killed, holding the output pipe
    (six such orphans once ate the machine for an hour)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    with RUNNING_LOCK:
        RUNNING.add(process.pid)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_session(process.pid)
        process.communicate()
        return "timeout", ""
    finally:
        kill_session(process.pid)  # whatever the command left behind
        with RUNNING_LOCK:
            RUNNING.discard(process.pid)
    tail = "\n".join(output.decode("utf-8", "replace").splitlines()[-5:])
    return ("ok" if process.returncode == 0 else "fail"), tail


def kill_session(session: int) -> None:
    """SIGKILL to every process of session session (its leader's pid); Check's
    per-test children change process group but stay in the session."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:  # after "pid (comm)": state ppid pgrp session
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue


def build(directory: str, targets: Tuple[str, ...] = ("all", "unit")) -> bool:
    status, _ = run(["make", "-s", "BUILD=build", "OPT=-O1"] + list(targets), directory, BUILD_TIMEOUT_SECONDS)
    return status == "ok"


# The unit test of each mutated module, run first: most mutants die there,
# and building one test binary is much cheaper than relinking them all.
OWN_UNIT_TEST = {"sim/scenario.c": "test_scenario_reader"}


def own_unit_test(path: str) -> Optional[str]:
    name = OWN_UNIT_TEST.get(path, "test_" + os.path.splitext(os.path.basename(path))[0])
    return name if os.path.exists(os.path.join(ROOT, "tests/unit", name + ".c")) else None


def interpreter_path(directory: str) -> str:
    """A PATH whose python3 execs this interpreter by its own path: python3 on
    PATH may be a version manager's shim (pyenv's costs ~0.5 s of CPU per
    start) and the oracle scripts start it for every mutant."""
    folder = os.path.join(directory, ".mutants-bin")
    wrapper = os.path.join(folder, "python3")
    if not os.path.exists(wrapper):  # once per copy, not once per mutant
        os.makedirs(folder, exist_ok=True)
        with open(wrapper, "w", encoding="utf-8") as handle:
            handle.write(f"#!/bin/sh\nexec '{sys.executable}' \"$@\"\n")
        os.chmod(wrapper, 0o755)
    return folder + os.pathsep + os.environ.get("PATH", "")


def run_scripts(directory: str, env: Dict[str, str]) -> Tuple[bool, str]:
    """The expect rows of every bundled scenario, then the oracle scripts."""
    scenarios = sorted(glob.glob(os.path.join(directory, "scenarios/*.csv")))
    out = tempfile.mkdtemp(prefix="mutant-check.")
    try:
        status, _ = run(["bin/ledgersim", "check", "--out", out] + [os.path.relpath(p, directory) for p in scenarios],
                        directory, STAGE_TIMEOUT_SECONDS, env)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if status != "ok":
        return False, "scenarios" + (" (timeout)" if status == "timeout" else "")
    for script in ("tests/bad_inputs.sh", "tests/seed_oracle.sh", "tests/output_oracle.sh",
                   "tests/simulator_oracle.sh"):
        if not os.path.exists(os.path.join(directory, script)):
            continue
        status, _ = run(["sh", script], directory, STAGE_TIMEOUT_SECONDS, env)
        if status != "ok":
            return False, script + (" (timeout)" if status == "timeout" else "")
    return True, ""


LINKERS: Dict[Tuple[str, str], List[str]] = {}  # (copy, mutated file) -> unit binaries linking its object


def first_function(directory: str, path: str) -> Optional[str]:
    """A function path's object defines (global text symbol), or None."""
    result = subprocess.run(["nm", "--defined-only", "-g", os.path.join(directory, "build", path[:-2] + ".o")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == "T":
            return fields[2]
    return None


def units_linking(directory: str, path: str) -> List[str]:
    """The unit binaries of the unmutated copy that link path's object, by
    name (build/tests/test_*). A binary links an archive member only when
    it needs one of its symbols, and then has every function of it (no
    --gc-sections): one that lacks the member's first function cannot run
    the mutated code, so neither relinking nor running it can kill the
    mutant. Works out once per copy and file, before any mutant of it."""
    key = (directory, path)
    if key not in LINKERS:
        binaries = sorted(glob.glob(os.path.join(directory, "build/tests/test_*")))
        symbol = first_function(directory, path) if path else None
        if symbol is None:
            LINKERS[key] = [os.path.basename(binary) for binary in binaries]  # not known: all of them
        else:
            LINKERS[key] = [os.path.basename(binary) for binary in binaries
                            if symbol in subprocess.run(["nm", "--defined-only", binary], stdout=subprocess.PIPE,
                                                        stderr=subprocess.DEVNULL, text=True).stdout.split()]
    return LINKERS[key]


def run_units(directory: str, env: Dict[str, str], mutated_path: str) -> Tuple[bool, str]:
    """Every unit test binary that links the mutated module but its own
    (already run)."""
    own = own_unit_test(mutated_path) if mutated_path else None
    wanted = set(units_linking(directory, mutated_path))
    for binary in sorted(glob.glob(os.path.join(directory, "build/tests/test_*"))):
        if os.path.basename(binary) not in wanted:
            continue
        if binary.endswith("test_number_equivalence") and mutated_path != "core/number.c":
            continue  # the 2.1-million-value printer check: slow, and it tests core/number.c alone
        if own is not None and os.path.basename(binary) == own:
            continue
        status, _ = run([binary], directory, STAGE_TIMEOUT_SECONDS, env)
        if status != "ok":
            return False, f"unit {os.path.basename(binary)}" + (" (timeout)" if status == "timeout" else "")
    return True, ""


def suite(directory: str, mutated_path: str = "") -> Tuple[bool, str]:
    """(passed, the stage that failed): cheapest stage first, stopping at the
    first failure. Relinking the ~40 unit binaries costs ~10 s, so the
    scenario and oracle stages (one relink of bin/ledgersim, ~1 s) go first:
    most mutants that survive their own unit test die there."""
    env = dict(os.environ, LEDGERSIM=os.path.join(directory, "bin/ledgersim"), BUILD="build", ORACLE_SEEDS="2",
               CK_FORK="yes", PATH=interpreter_path(directory))
    if not build(directory, ("all",)):
        return False, "stillborn"
    passed, stage = run_scripts(directory, env)
    if not passed:
        return passed, stage
    targets = tuple("build/tests/" + name for name in units_linking(directory, mutated_path)) if mutated_path else ("unit",)
    if targets and not build(directory, targets):
        return False, "stillborn"
    return run_units(directory, env, mutated_path)


# Trivial compiler equivalence: a mutant whose object file is byte for byte
# the unmutated one (no -g at OPT=-O1, so no line tables) is the same
# program; the compiler folded the change away (1e16 + 1 is the double 1e16).
ORIGINAL_OBJECTS: Dict[Tuple[str, str], bytes] = {}  # (copy, file) -> its unmutated object
SAME_OBJECT_REASON = "same object code as the unmutated file: the compiler folds the change away"


def object_of(path: str) -> str:
    """The object file make builds from path (core/book.c -> build/core/book.o)."""
    return "build/" + os.path.splitext(path)[0] + ".o"


def test_mutant(directory: str, mutant: Mutant) -> Tuple[str, str]:
    """("killed" | "survived" | "stillborn" | "equivalent", detail); the copy
    is restored. "equivalent" here only for an unchanged object file."""
    path = os.path.join(directory, mutant.path)
    with open(path, encoding="utf-8") as handle:
        original = handle.read()
    lines = original.split("\n")
    assert lines[mutant.line - 1] == mutant.original
    lines[mutant.line - 1] = mutant.mutated
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    try:
        object_path = object_of(mutant.path)
        if not build(directory, (object_path,)):
            return "stillborn", "does not compile"
        with open(os.path.join(directory, object_path), "rb") as handle:
            if handle.read() == ORIGINAL_OBJECTS.get((directory, mutant.path)):
                return "equivalent", SAME_OBJECT_REASON
        first = own_unit_test(mutant.path)
        if first is not None:
            if not build(directory, ("build/tests/" + first,)):
                return "stillborn", "does not compile"
            env = dict(os.environ, CK_FORK="yes")
            status, _ = run([os.path.join(directory, "build/tests", first)], directory, STAGE_TIMEOUT_SECONDS, env)
            if status != "ok":
                return "killed", f"unit {first}" + (" (timeout)" if status == "timeout" else "")
        passed, stage = suite(directory, mutant.path)
        if stage == "stillborn":
            return "stillborn", "does not compile"
        return ("survived", "") if passed else ("killed", stage)
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(original)


def mutant_key(mutant: Mutant) -> Tuple[str, str, str, str]:
    """What names a mutant across edits that move its line: file, operator, both lines."""
    return (mutant.path, mutant.operator, mutant.original.strip(), mutant.mutated.strip())


def verdicts_in_log(path: str, verdicts: Tuple[str, ...]) -> set:
    """The keys of the mutants an earlier run's output gives one of verdicts."""
    pattern = re.compile(r"^\[\d+/\d+\] (?:" + "|".join(verdicts) + r") +([^:]+):\d+: (\w+): (.*?)  =>  (.*?)"
                         r"(?:  \(.*\))?$")
    keys = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = pattern.match(line.rstrip("\n"))
            if match:
                keys.add((match.group(1), match.group(2), match.group(3).strip(), match.group(4).strip()))
    return keys


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--require-all", action="store_true")
    parser.add_argument("--resume", metavar="LOG", action="append", default=[],
                        help="skip the mutants an earlier run's output (LOG) already gives a verdict (repeatable)")
    parser.add_argument("--retest", metavar="LOG",
                        help="only the mutants a earlier run's output (LOG) lists as survived, matched by content")
    parser.add_argument("files", nargs="*")
    options = parser.parse_args()
    files = options.files or sorted(glob.glob("core/*.c", root_dir=ROOT) + glob.glob("sim/*.c", root_dir=ROOT))
    mutants = [mutant for path in files for mutant in mutants_of(path)]
    total_sites = len(mutants)
    if options.retest:
        wanted = verdicts_in_log(options.retest, ("survived",))
        mutants = [mutant for mutant in mutants if mutant_key(mutant) in wanted]
    if options.resume:
        done = set().union(*(verdicts_in_log(log, ("killed", "survived", "equivalent", "stillborn"))
                             for log in options.resume))
        mutants = [mutant for mutant in mutants if mutant_key(mutant) not in done]
    if options.sample > 0 and options.sample < len(mutants):
        mutants = random.Random(options.seed).sample(mutants, options.sample)
        mutants.sort(key=lambda m: (m.path, m.line, m.column, m.operator))
    if options.list:
        for mutant in mutants:
            print(mutant.label())
        print(f"{len(mutants)} mutants ({total_sites} in {len(files)} files)")
        return 0
    equivalent = load_equivalent()
    def stop(*_: object) -> None:
        STOPPING.set()  # before the sessions die: what they fail with is not a verdict
        sys.exit(143)   # the copies are removed on the way out
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"mutants: {len(mutants)} of {total_sites} in {len(files)} files, {options.jobs} job(s)", flush=True)
    copies: List[str] = []
    try:
        return run_all(options, mutants, equivalent, copies)
    finally:
        with RUNNING_LOCK:
            for session in list(RUNNING):
                kill_session(session)
        for directory in copies:
            shutil.rmtree(directory, ignore_errors=True)


def run_all(options: argparse.Namespace, mutants: List[Mutant], equivalent: Dict[Tuple[str, str], str],
            copies: List[str]) -> int:
    """Builds the copies, checks the unmutated tree, runs every mutant."""
    for job in range(max(1, options.jobs)):
        directory = tempfile.mkdtemp(prefix=f"ledgersim-mutants-{job}.")
        copies.append(directory)
        make_copy(directory)
        if not build(directory):
            print(f"FAIL the unmutated tree does not build in {directory}")
            return 2
        passed, stage = suite(directory)
        if not passed:
            print(f"FAIL the unmutated tree fails the mutant suite at {stage}: fix that first")
            return 2
        for path in sorted({mutant.path for mutant in mutants}):
            units_linking(directory, path)  # from the unmutated binaries
            with open(os.path.join(directory, object_of(path)), "rb") as handle:
                ORIGINAL_OBJECTS[(directory, path)] = handle.read()
    results: List[Tuple[Mutant, str, str]] = []
    lock = threading.Lock()
    queue = list(enumerate(mutants))
    started = time.monotonic()

    def worker(directory: str) -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, mutant = queue.pop(0)
            try:
                verdict, detail = test_mutant(directory, mutant)
            except OSError:
                if STOPPING.is_set():
                    return  # the copy was removed under it
                raise
            if STOPPING.is_set():
                return
            if verdict == "survived" and equivalent_key(mutant) in equivalent:
                verdict, detail = "equivalent", equivalent[equivalent_key(mutant)]
            with lock:
                if STOPPING.is_set():
                    return
                results.append((mutant, verdict, detail))
                print(f"[{len(results)}/{len(mutants)}] {verdict:10} {mutant.label()}"
                      + (f"  ({detail})" if detail else ""), flush=True)

    threads = [threading.Thread(target=worker, args=(directory,), daemon=True) for directory in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = {name: sum(1 for _, verdict, _ in results if verdict == name)
              for name in ("killed", "survived", "equivalent", "stillborn")}
    valid = counts["killed"] + counts["survived"] + counts["equivalent"]
    same_object = sum(1 for _, verdict, detail in results if verdict == "equivalent" and detail == SAME_OBJECT_REASON)
    score = 100.0 * counts["killed"] / (counts["killed"] + counts["survived"]) if counts["killed"] + counts["survived"] else 100.0
    print()
    print(f"mutants: {len(results)} tried in {time.monotonic() - started:.0f} s: {counts['killed']} killed, "
          f"{counts['survived']} survived, {counts['equivalent']} equivalent ({same_object} of them the same "
          f"object code, the rest listed), {counts['stillborn']} did not compile")
    print(f"mutation score: {score:.1f}% ({counts['killed']} killed of {counts['killed'] + counts['survived']} "
          f"non-equivalent compiled mutants; {valid} compiled)")
    survivors = [mutant for mutant, verdict, _ in results if verdict == "survived"]
    if survivors:
        print("survivors (kill each with a test, or list it in tests/mutants/equivalent.txt with the reason):")
        for mutant in sorted(survivors, key=lambda m: (m.path, m.line, m.column)):
            print(f"  {mutant.label()}")
    return 1 if options.require_all and survivors else 0


if __name__ == "__main__":
    sys.exit(main())
