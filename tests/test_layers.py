"""The package's folders are its layers, and imports between them run one
way: base -> core -> words -> views -> uses -> cli.py and api.py on top.
Every import counts, those inside functions included."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "induction_demo"
FLOORS = ("base", "core", "words", "views", "uses", "")  # "": cli.py, api.py, console.py, __init__.py


def floor(parts: list[str]) -> int:
    """The floor of a module given by its path inside the package."""
    return FLOORS.index(parts[0]) if len(parts) > 1 and parts[0] in FLOORS else len(FLOORS) - 1


def imports(path: Path):
    """Each module of the package that ``path`` imports (as a list of parts), anywhere in it."""
    here = list(path.relative_to(PACKAGE).parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("induction_demo"):
                target = node.module.split(".")[1:]
            else:
                continue
            names = [a.name for a in node.names]
            for name in names:  # `from . import x` names a module; `from .x import y` a name in x
                yield target + [name] if (PACKAGE.joinpath(*target, name + ".py").exists()
                                          or PACKAGE.joinpath(*target, name).is_dir()) else target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("induction_demo."):
                    yield alias.name.split(".")[1:]


def test_imports_between_folders_run_one_way():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        mine = floor(list(path.relative_to(PACKAGE).parts))
        for target in imports(path):
            if target and floor(target + ["x"]) > mine:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}")
    assert wrong == []


def test_the_folders_hold_most_of_the_modules():
    modules = [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    inside = [p for p in modules if p.parent != PACKAGE]
    assert len(inside) >= 0.8 * len(modules), [p.name for p in modules if p.parent == PACKAGE]
