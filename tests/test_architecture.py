"""The layers of posecoach (docs/architecture.md), checked from the source: imports point one way,
no module imports itself round a cycle, and OpenCV and MediaPipe are imported only at the edge."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "posecoach"
# Lowest first: a module may import from its own layer and the layers before it, never after.
LAYERS = ("core", "vision", "pelvis", "exercises", "control", "sessions", "outputs", "ui", "runner", "commands")
# The edge: the only layers whose modules may import cv2 or MediaPipe when they are imported.
EDGE = ("vision", "ui")


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imported(path: Path, name: str) -> set[str]:
    """posecoach modules `path` imports anywhere (also inside functions), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("posecoach"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)  # `from posecoach.x import mod`
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("posecoach"))
    known = modules()
    return {m for m in found if m in known and m != name}


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def test_every_module_lives_in_a_layer() -> None:
    top = [m for m in modules() if m.count(".") == 1 and layer(m) is None and m.split(".")[1] not in
           ("__main__", "models")]
    assert top == [], "modules at the top of the package: put them in a layer"


def test_imports_point_one_way() -> None:
    wrong = []
    for name, path in modules().items():
        mine = layer(name)
        if mine is None:
            continue
        for dep in imported(path, name):
            theirs = layer(dep)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{name} -> {dep}")
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = {name: imported(path, name) for name, path in modules().items()}
    graph = {k: {d for d in v if not (d == k.rsplit(".", 1)[0])} for k, v in graph.items()}  # a package's own __init__
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(trail[trail.index(dep):] + [dep] if dep in trail else [node, dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize("group", [layer_ for layer_ in LAYERS if layer_ not in EDGE])
def test_only_the_edge_imports_opencv_and_mediapipe(group: str) -> None:
    names = [m for m in modules() if layer(m) == group]
    if not names:
        pytest.skip(f"no modules in {group}/ yet")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in names) +
            "print(sorted(m for m in ('cv2', 'mediapipe') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"{group}/ pulls in {out.strip()}"


def test_help_is_quick_to_start_and_imports_no_opencv() -> None:
    code = ("import sys\nfrom posecoach.commands.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('cv2', 'mediapipe') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_type_checker_passes() -> None:
    """mypy over the package (settings in pyproject.toml): a `type: ignore` must say why."""
    root = PACKAGE.parent
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    for path in PACKAGE.rglob("*.py"):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if "type: ignore" in line:
                assert "  # " in line.split("type: ignore", 1)[1], f"{path}:{i}: a type: ignore without its reason"
