"""The product never imports test code: no module outside tests/ imports the ``tests`` package."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"tests", ".venv", "var", ".git", "__pycache__"}


def _source_files() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED & set(path.relative_to(ROOT).parts[:-1])]


def _imports_of_tests(source: str, name: str) -> list[str]:
    """``name:line module`` for every import of ``tests`` or a module under it in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [f"{name}:{node.lineno} {module}" for module in modules if module.split(".")[0] == "tests"]
    return found


def test_no_module_outside_tests_imports_the_tests_package():
    files = _source_files()
    names = {path.relative_to(ROOT).as_posix() for path in files}
    assert {
        "config/sandbox/generic_channel.py",
        "channels_app/demo/fakes.py",
        "bench/rush/adapters.py",
    } <= names
    assert not any(name.startswith("tests/") for name in names)
    hits = [
        hit
        for path in files
        for hit in _imports_of_tests(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert hits == []


def test_the_check_sees_imports_inside_functions_and_ignores_lookalikes():
    source = (
        "import testsuite\n"
        "from config.tests import x\n"
        "def f():\n"
        "    from tests.factories import SKUFactory\n"
        "    import tests.parallel as p, json\n"
        "    from tests import conftest\n"
    )
    assert _imports_of_tests(source, "probe.py") == [
        "probe.py:4 tests.factories",
        "probe.py:5 tests.parallel",
        "probe.py:6 tests",
    ]


def test_no_service_of_the_sync_engine_imports_a_task_module():
    """Services enqueue by name (config.integrations.tasks.task_enqueue); only tasks import tasks."""
    flows = ("services", "intake", "push", "notifications", "reconcile", "order_reports")
    hits = []
    for flow in flows:
        for path in (ROOT / "channels_app" / flow).glob("*.py"):
            if path.name == "tasks.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                modules = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    modules = [node.module]
                elif isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                hits += [
                    f"{flow}/{path.name}: {m}"
                    for m in modules
                    if m.split(".")[-1] == "tasks" and m != "config.integrations.tasks"
                ]
    assert hits == []
