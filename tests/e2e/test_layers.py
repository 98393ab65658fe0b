"""The layer rule of module/ (scripts/layers.py, run by `make lint`) accepts
the tree as it is and fails on each kind of wrong include, a file left out
of the build, a folder outside the layer order and an overlong function.
Each case breaks one copy of the tree and expects the message that names
the file and line."""
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "layers.py"


def run(root, *extra):
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root),
                           *extra], capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    dst = tmp_path / "module"
    shutil.copytree(ROOT / "module", dst)
    return dst


def add_include(path, header):
    text = path.read_text()
    first = text.index("#include")
    path.write_text(text[:first] + f'#include "{header}"\n' + text[first:])


def test_the_tree_passes(tree):
    r = run(tree)
    assert r.returncode == 0, r.stdout
    assert "layers: ok" in r.stdout


@pytest.mark.parametrize("file,header,why", [
    # a service reaching up into the web layer
    ("sales/customers.c", "web/view.h", "sales/ may not include web/view.h"),
    # a service depending on the HTTP request
    ("rules/rules.h", "http/http.h", "rules/ may not include http/http.h"),
    # the base layer depending on anything
    ("base/str.c", "db/ctx.h", "base/ may not include db/ctx.h"),
    # a handler calling another handler
    ("web/handlers/admin.c", "web/handlers/account.h",
     "includes the handler header web/handlers/account.h"),
    # a core file calling a handler
    ("web/view.c", "web/handlers/pages.h",
     "includes the handler header web/handlers/pages.h"),
    ("server/worker.c", "web/handlers/health.h",
     "includes the handler header web/handlers/health.h"),
    # an include that names no folder
    ("web/auth.c", "view.h", "which is not module/<folder>/<file>.h"),
])
def test_a_wrong_include_fails(tree, file, header, why):
    add_include(tree / file, header)
    r = run(tree)
    assert r.returncode == 1
    assert f"{file}:" in r.stdout and why in r.stdout, r.stdout


def test_the_route_table_and_a_handler_may_include_handler_headers(tree):
    add_include(tree / "web/handlers/admin.c", "web/handlers/admin.h")
    r = run(tree)
    assert r.returncode == 0, r.stdout


def test_a_file_outside_the_build_fails(tree):
    build = [str(p) for p in tree.rglob("*.[ch]")
             if p.name != "tokens.c"]
    r = run(tree, "--build", *build)
    assert r.returncode == 1
    assert "identity/tokens.c: not in the build" in r.stdout


def test_a_folder_outside_the_layer_order_fails(tree):
    (tree / "misc").mkdir()
    (tree / "misc" / "x.c").write_text('#include "base/str.h"\n')
    r = run(tree)
    assert r.returncode == 1
    assert "misc/x.c: folder misc/ has no place" in r.stdout


def test_an_overlong_function_fails(tree):
    body = "\n".join(f"    n += {i};" for i in range(120))
    (tree / "base" / "long.c").write_text(
        '#include "base/str.h"\n\nint\nlong_one(int n)\n{\n'
        + body + "\n    return n;\n}\n")
    r = run(tree)
    assert r.returncode == 1
    assert "base/long.c:5: long_one() has 123 lines" in r.stdout
