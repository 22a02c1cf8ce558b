"""The shape of the code: no function in kiosk_server runs past one screen, and no module reaches
into another's private names.

ruff keeps complexity (C901) and statement counts (PLR0915) in bounds; neither counts lines, and a
function can stay simple while it grows long, so the length is checked here. A `_name` is private to
its module: when another module needs it, it gets a public name in the module it belongs to.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk_server"
MAX_LINES = 60


def long_functions(root: Path, most: int) -> list[str]:
    """Return `path:line name (n lines)` for every function under `root` longer than `most` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > most:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_sixty_lines():
    assert long_functions(PACKAGE, MAX_LINES) == []


def test_the_check_names_a_long_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_LINES))
    (package / "long.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n", encoding="utf-8")
    assert long_functions(package, MAX_LINES) == [f"pkg/long.py:5 long ({MAX_LINES + 1} lines)"]


def private_reaches(root: Path) -> list[str]:
    """Return `path:line module._name` for every private name a module under `root` takes from another one of them."""
    found = []
    package = root.name
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        ours: set[str] = set()  # names this file binds to modules of the package
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == package:
                for alias in node.names:
                    if _is_private(alias.name):
                        found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.module}.{alias.name}")
                    ours.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                ours |= {a.asname for a in node.names if a.asname and a.name.split(".")[0] == package}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ours
                    and _is_private(node.attr)):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_takes_another_modules_private_names():
    assert private_reaches(PACKAGE) == []


def test_the_check_names_a_private_name_taken_from_another_module(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("def _helper():\n    return 1\n", encoding="utf-8")
    (package / "b.py").write_text("from pkg import a\nfrom pkg.a import _helper\n\nx = a._helper()\n", encoding="utf-8")
    assert private_reaches(package) == ["pkg/b.py:2 pkg.a._helper", "pkg/b.py:4 a._helper"]
