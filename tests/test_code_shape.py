"""The shape of the code: no function in kiosk_server runs past one screen.

ruff keeps complexity (C901) and statement counts (PLR0915) in bounds; neither counts lines, and a
function can stay simple while it grows long, so the length is checked here.
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
