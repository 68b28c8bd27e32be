#!/usr/bin/env python3
"""Checks that src/ modules include each other only as src/DEPS allows.

    scripts/check-deps.py [--root DIR]     check the tree at DIR (default: this repository)
    scripts/check-deps.py --self-test      check the checker on small fake trees

A module is a folder directly under src/; files directly in src/ (main.cc) are the module
`main`. `#include "router/router.h"` in src/executor/x.cc is the edge executor -> router. Every
edge between two different modules must be declared in src/DEPS, either as an allowed
dependency (`executor: router ...`) or as a temporary exception (`exception: a -> b  # why`).

Fails (exit 1) on:
  - an include edge that src/DEPS does not allow (printed as file:line and edge);
  - an exception that no include needs any more (delete it, so the list only shrinks);
  - a cycle among the declared dependencies (exceptions left out);
  - a folder under src/ that src/DEPS does not declare, or a src/DEPS line that makes no sense.
Exit 2 on bad usage. Python 3 standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

MAIN = "main"
SOURCE_SUFFIXES = (".h", ".cc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
MODULE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Deps:
    """src/DEPS, parsed."""

    def __init__(self):
        self.allowed = {}  # module -> set of modules it may include; "*" means any
        self.lines = {}  # module -> line number of its declaration
        self.exceptions = {}  # (from, to) -> line number
        self.errors = []  # "src/DEPS:N: message"


def parse_deps(path):
    deps = Deps()
    where = os.path.join("src", "DEPS")
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            text, _, comment = raw.partition("#")
            text = text.strip()
            if not text:
                continue

            def error(message):
                deps.errors.append(f"{where}:{number}: {message}")

            key, colon, rest = text.partition(":")
            key = key.strip()
            if not colon:
                error(f"expected 'module: deps...' or 'exception: a -> b  # why', got '{text}'")
                continue
            if key == "exception":
                parts = [p.strip() for p in rest.split("->")]
                if len(parts) != 2 or not all(MODULE_RE.match(p) for p in parts):
                    error(f"expected 'exception: a -> b  # why', got '{text}'")
                    continue
                if not comment.strip():
                    error(f"exception {parts[0]} -> {parts[1]} needs a reason in a # comment")
                edge = (parts[0], parts[1])
                if edge in deps.exceptions:
                    error(f"exception {edge[0]} -> {edge[1]} listed twice")
                deps.exceptions[edge] = number
                continue
            if not MODULE_RE.match(key):
                error(f"'{key}' is not a module name")
                continue
            if key in deps.allowed:
                error(f"module {key} declared twice (first on line {deps.lines[key]})")
                continue
            names = rest.split()
            for name in names:
                if name != "*" and not MODULE_RE.match(name):
                    error(f"'{name}' is not a module name")
            deps.allowed[key] = set(names) - {key}
            deps.lines[key] = number
    return deps


def check_deps_file(deps, folders):
    """Consistency of src/DEPS itself; returns error lines."""
    errors = list(deps.errors)
    where = os.path.join("src", "DEPS")
    for folder in sorted(folders - set(deps.allowed)):
        errors.append(f"{where}: src/{folder}/ is a module but has no line in src/DEPS")
    for module, allowed in sorted(deps.allowed.items()):
        for name in sorted(allowed - {"*"} - set(deps.allowed)):
            errors.append(f"{where}:{deps.lines[module]}: {module} may include {name}, "
                          f"which is not a declared module")
    for (src, dst), number in sorted(deps.exceptions.items()):
        for name in (src, dst):
            if name not in deps.allowed:
                errors.append(f"{where}:{number}: exception names {name}, "
                              f"which is not a declared module")
        if src == dst:
            errors.append(f"{where}:{number}: exception {src} -> {dst} is inside one module")
        elif allows(deps, src, dst):
            errors.append(f"{where}:{number}: exception {src} -> {dst} is already allowed by "
                          f"line {deps.lines[src]}; delete the exception")
    cycle = find_cycle(deps)
    if cycle:
        errors.append(f"{where}: the declared dependencies have a cycle: {' -> '.join(cycle)}")
    return errors


def allows(deps, src, dst):
    allowed = deps.allowed.get(src, set())
    return dst in allowed or "*" in allowed


def find_cycle(deps):
    """A cycle among the declared edges (exceptions left out) as a list of modules, or None."""
    modules = sorted(deps.allowed)
    graph = {m: sorted(m2 for m2 in modules if m2 != m and allows(deps, m, m2)) for m in modules}
    state = {}  # module -> "open" while on the DFS stack, "done" after
    stack = []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for nxt in graph[module]:
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[module] = "done"
        return None

    for module in modules:
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def source_files(src_dir):
    for dirpath, dirnames, filenames in os.walk(src_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(dirpath, name)


def module_of(src_dir, path):
    rel = os.path.relpath(path, src_dir)
    parts = rel.split(os.sep)
    return MAIN if len(parts) == 1 else parts[0]


def check(root):
    """Checks the tree under root; prints what is wrong and returns the exit status."""
    src_dir = os.path.join(root, "src")
    deps_path = os.path.join(src_dir, "DEPS")
    if not os.path.isfile(deps_path):
        print(f"check-deps: {deps_path} not found", file=sys.stderr)
        return 1
    folders = {e.name for e in os.scandir(src_dir) if e.is_dir() and not e.name.startswith(".")}
    deps = parse_deps(deps_path)
    errors = check_deps_file(deps, folders)
    modules = folders | set(deps.allowed)

    used_exceptions = set()
    violations = []
    edges = 0
    files = 0
    for path in source_files(src_dir):
        files += 1
        module = module_of(src_dir, path)
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                target_path = m.group(1)
                if target_path.startswith("../") or "/../" in target_path:
                    violations.append(f'{rel}:{number}: relative include "{target_path}" '
                                      f"(write it as \"module/file.h\")")
                    continue
                if "/" not in target_path:
                    continue  # same folder or a generated/third-party header, not a module
                target = target_path.split("/", 1)[0]
                if target not in modules or target == module:
                    continue
                edges += 1
                if allows(deps, module, target):
                    continue
                if (module, target) in deps.exceptions:
                    used_exceptions.add((module, target))
                    continue
                violations.append(f"{rel}:{number}: {module} -> {target} is not allowed "
                                  f"by src/DEPS")

    for (src, dst), number in sorted(deps.exceptions.items(), key=lambda e: e[1]):
        if (src, dst) not in used_exceptions and not allows(deps, src, dst):
            errors.append(f"src/DEPS:{number}: exception {src} -> {dst} is no longer used by "
                          f"any include; delete it")

    for line in violations + errors:
        print(line)
    if violations or errors:
        print(f"check-deps: FAILED: {len(violations)} include(s) break the module dependencies, "
              f"{len(errors)} problem(s) with src/DEPS")
        if violations:
            print("check-deps: move the code so the include is not needed, or, if the target "
                  "architecture allows the edge, declare it in src/DEPS")
        return 1
    print(f"check-deps: OK: {files} files, {edges} includes across modules, "
          f"{len(used_exceptions)} temporary exception(s) still in use")
    return 0


# --- self-test -----------------------------------------------------------------------------

SELF_TEST_DEPS = """\
# fake architecture: app -> lib -> base
main: *
base:
lib: base
app: lib base
"""


def self_test():
    """Runs this script on fake trees; returns the exit status."""
    script = os.path.abspath(__file__)
    failures = []

    def run_case(name, files, deps_text, want_status, want_output=()):
        with tempfile.TemporaryDirectory(prefix="check-deps-") as root:
            os.makedirs(os.path.join(root, "src"))
            with open(os.path.join(root, "src", "DEPS"), "w", encoding="utf-8") as f:
                f.write(deps_text)
            for rel, text in files.items():
                path = os.path.join(root, "src", rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            proc = subprocess.run([sys.executable, script, "--root", root],
                                  capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        missing = [w for w in want_output if w not in output]
        if proc.returncode != want_status or missing:
            failures.append(f"{name}: want status {want_status}, got {proc.returncode}"
                            + (f"; output lacks {missing}" if missing else "")
                            + "\n    " + output.replace("\n", "\n    "))
        else:
            print(f"self-test: ok: {name}")

    base = {
        "base/base.h": "#pragma once\n#include <string>\n",
        "lib/lib.h": '#pragma once\n#include "base/base.h"\n',
        "app/app.cc": '#include "app/app.h"\n#include "lib/lib.h"\n#include "base/base.h"\n',
        "app/app.h": "#pragma once\n",
        "main.cc": '#include "app/app.h"\n#include "lib/lib.h"\n',
    }
    upward = dict(base, **{"lib/lib.cc": '#include "lib/lib.h"\n\n#include "app/app.h"\n'})
    exception = SELF_TEST_DEPS + "exception: lib -> app  # lib.cc still calls the app\n"

    run_case("declared includes pass", base, SELF_TEST_DEPS, 0, ["check-deps: OK"])
    run_case("an include the DEPS file does not allow fails", upward, SELF_TEST_DEPS, 1,
             [os.path.join("src", "lib", "lib.cc") + ":3: lib -> app"])
    run_case("an exception allows the include", upward, exception, 0,
             ["1 temporary exception(s)"])
    run_case("an unused exception fails", base, exception, 1,
             ["exception lib -> app is no longer used"])
    run_case("an exception without a reason fails", upward,
             SELF_TEST_DEPS + "exception: lib -> app\n", 1, ["needs a reason"])
    run_case("an exception for an allowed edge fails", base,
             SELF_TEST_DEPS + "exception: app -> lib  # pointless\n", 1, ["already allowed"])
    run_case("a cycle in the declared dependencies fails", base,
             SELF_TEST_DEPS.replace("base:\n", "base: app\n"), 1, ["cycle"])
    run_case("a module folder missing from DEPS fails",
             dict(base, **{"extra/extra.h": "#pragma once\n"}), SELF_TEST_DEPS, 1,
             ["src/extra/ is a module"])
    run_case("an unknown module in DEPS fails", base,
             SELF_TEST_DEPS.replace("lib: base", "lib: base nothere"), 1,
             ["nothere, which is not a declared module"])
    run_case("a relative include fails",
             dict(base, **{"base/base.cc": '#include "../app/app.h"\n'}), SELF_TEST_DEPS, 1,
             ["relative include"])
    run_case("declared modules need no folder yet", base, SELF_TEST_DEPS + "later: app\n", 0)

    if failures:
        print("self-test: FAILED\n" + "\n".join(failures))
        return 1
    print("self-test: all cases passed")
    return 0


def main():
    parser = argparse.ArgumentParser(
        description="Check #include edges between src/ modules against src/DEPS.")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))), help="repository root (default: the one holding this script)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the checker on fake trees in a temporary directory")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    return check(args.root)


if __name__ == "__main__":
    sys.exit(main())
