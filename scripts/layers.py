#!/usr/bin/env python3
"""layers.py -- the layer order of module/, enforced on every #include.

A request goes down through the layers: server/ starts the workers, web/
answers routes, the services (identity/, rules/, sales/) own the business
objects, and db/, sandbox/, http/ and base/ are the parts they are built
from.  A file may include headers of its own folder and of the folders its
layer lists below; nothing may include a route handler's header except the
handler itself and the route table.  Run by `make lint`.

    scripts/layers.py [--root DIR] [--build FILE...]

--build: the sources the Makefile compiles; every .c and .h under module/
must be among them (a file left out of the build or the lint fails).

It also holds every function to FUNCTION_MAX lines (body, braces
included): a longer one is split along its steps.  Tables are
initialisers, not functions, and are not counted.
"""
import os
import re
import sys

SERVICES = {"base", "db", "sandbox", "net", "identity", "rules", "sales",
            "metrics", "work"}
# folder -> the folders its files may include (besides their own)
ALLOWED = {
    "base": set(),
    "db": {"base"},
    "sandbox": {"base"},
    "net": {"base"},
    "http": {"base", "db"},
    "identity": {"base", "db"},
    "rules": {"base", "db", "sandbox", "identity"},
    "sales": {"base", "db", "sandbox", "identity", "rules"},
    "metrics": {"base", "db", "sandbox", "identity", "rules", "sales"},
    "work": {"base", "db", "sandbox", "net", "identity", "rules", "sales",
             "metrics"},
    "web": SERVICES | {"http"},
    "web/handlers": SERVICES | {"http", "web"},
    "server": SERVICES | {"http", "web"},
}
HANDLERS = "web/handlers"
ROUTE_TABLE = "web/routes.c"
FUNCTION_MAX = 100
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(rel):
    return os.path.dirname(rel)


def long_functions(rel, text):
    """Functions whose body (from the '{' line to the '}' line, both at
    column 0, as clang-format writes them) is longer than FUNCTION_MAX."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == "{" and i > 0:
            j = i - 1
            while j > 0 and "(" not in lines[j]:
                j -= 1
            name = lines[j].split("(")[0].split()[-1:] or ["?"]
            k = i + 1
            while k < len(lines) and lines[k] != "}":
                k += 1
            if k - i + 1 > FUNCTION_MAX:
                out.append(f"{rel}:{i + 1}: {name[0]}() has {k - i + 1} "
                           f"lines (at most {FUNCTION_MAX}): split it")
            i = k
        i += 1
    return out


def check(root, build):
    problems = []
    files = []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), root))
    files.sort()
    if build is not None:
        built = {os.path.relpath(b, root) for b in build}
        for f in files:
            if f not in built:
                problems.append(f"{f}: not in the build (Makefile SRC/HDR)")
    for f in files:
        here = folder_of(f)
        if here not in ALLOWED:
            problems.append(f"{f}: folder {here or '.'}/ has no place in "
                            "the layer order (scripts/layers.py ALLOWED)")
            continue
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            text = fh.read()
        if f.endswith(".c"):
            problems.extend(long_functions(f, text))
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            there = folder_of(inc)
            if not os.path.exists(os.path.join(root, inc)):
                problems.append(f"{f}:{line}: includes {inc}, which is not "
                                "module/<folder>/<file>.h")
                continue
            if there == HANDLERS:
                own = os.path.splitext(f)[0] == os.path.splitext(inc)[0]
                if not own and f != ROUTE_TABLE:
                    problems.append(
                        f"{f}:{line}: includes the handler header {inc}: "
                        "only its handler and web/routes.c may; move what "
                        "you need into a service or web/")
                continue
            if there != here and there not in ALLOWED[here]:
                problems.append(
                    f"{f}:{line}: {here}/ may not include {inc} ({there}/ "
                    f"is not below it; allowed: "
                    f"{', '.join(sorted(ALLOWED[here])) or 'nothing'})")
    return problems, len(files)


def main(argv):
    root = "module"
    build = None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--root":
            root = args.pop(0)
        elif a == "--build":
            build, args = args, []
        else:
            print(f"layers.py: unknown argument {a}", file=sys.stderr)
            return 2
    problems, n = check(root, build)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} problem(s)")
        return 1
    print(f"layers: ok ({n} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
