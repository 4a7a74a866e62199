"""The package's layers import one way (docs/architecture.md).

import-linter checks the layers contract in pyproject.toml. The tests below
add what it does not: no two modules import each other (counting imports
made inside functions, which hide cycles at load time), and imports of the
package's own modules inside functions stay few and explained.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "kotoba_code"
# At most this many imports of kotoba_code modules inside functions outside cli/.
MAX_LOCAL_IMPORTS = 5


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def _imports(mods: dict[str, Path]) -> list[tuple[str, str, bool, ast.stmt, list[str]]]:
    """(importer, imported module, inside a function, node, source lines) for kotoba_code imports."""

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    found = []
    for name, path in mods.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            in_function = type_checking = False
            up: ast.AST = node
            while up in parents:
                up = parents[up]
                if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    in_function = True
                if isinstance(up, ast.If) and "TYPE_CHECKING" in ast.unparse(up.test):
                    type_checking = True
            if type_checking:
                continue
            for t in targets:
                target = resolve(t) if t.startswith("kotoba_code") else None
                # A package importing its own submodules (re-exports) is not a
                # dependency of the layer on itself.
                if target and target != name and not target.startswith(name + "."):
                    found.append((name, target, in_function, node, lines))
    return found


def test_import_linter_layers_contract():
    pytest.importorskip("importlinter")
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_no_import_cycles_counting_imports_inside_functions():
    mods = _modules()
    g = nx.DiGraph()
    for a, b, *_ in _imports(mods):
        # The root package re-exports the public API; modules import names
        # from their own layer or below, never from kotoba_code itself.
        assert b != "kotoba_code", f"{a} imports the root package kotoba_code (import from the module instead)"
        g.add_edge(a, b)
    cycles = [c for c in nx.simple_cycles(g) if len(c) <= 8]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:10])


def test_few_local_imports_each_explained():
    local = [
        (a, b, node, lines)
        for a, b, in_function, node, lines in _imports(_modules())
        if in_function and not a.startswith("kotoba_code.cli")
    ]
    where = [f"{a} -> {b} (line {node.lineno})" for a, b, node, _ in local]
    assert len(local) <= MAX_LOCAL_IMPORTS, "imports inside functions outside cli/: " + "; ".join(where)
    for a, b, node, lines in local:
        comment_lines = lines[max(0, node.lineno - 4) : node.lineno]
        assert any("#" in line for line in comment_lines), f"{a} -> {b} (line {node.lineno}) has no comment saying why"


def test_applying_rules_loads_neither_scikit_learn_nor_scipy_stats():
    # A Dask worker or a command that only applies rules would pay about
    # 66 MiB and a second of start-up for them (docs/scaling.md).
    code = (
        "import sys, kotoba_code, kotoba_code.dask\n"
        "from kotoba_code.coding import RuleCoder, apply_codebook\n"
        "from kotoba_code.codebook import Codebook\n"
        "cb = Codebook.from_dict({'codes': [{'id': 'a', 'rule': '温度差'}]})\n"
        "apply_codebook(cb, kotoba_code.Corpus.from_texts(['温度差がある']), cache=False)\n"
        "print(sorted(m for m in ('sklearn', 'scipy.stats') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    # ... and the learned coders are still there on first use.
    out = subprocess.run(
        [sys.executable, "-c", "from kotoba_code.coding import LearnedCoder, save_model; print(LearnedCoder.__name__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "LearnedCoder"


def test_rule_commands_load_neither_scikit_learn_nor_scipy_stats():
    # scikit-learn takes about a second to import and scipy.stats half a
    # second: a rule-only command (the common case, often on a small file)
    # must not wait for them. Its chi-square tests use scipy.special;
    # --model and the learn commands import scikit-learn when they run.
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kotoba_code.cli.app import cli\n"
        "common = [sys.argv[1], '--text-col', 'answer', '--codebook', 'welfare_employment', '--no-cache', '-q']\n"
        "for args in (['code'], ['freq', '--by', 'group']):\n"
        "    r = CliRunner().invoke(cli, args + common)\n"
        "    assert r.exit_code == 0, r.output\n"
        "    print(r.stdout.count('\\n'), end=' ')\n"
        "print(sorted(m for m in ('sklearn', 'scipy.stats') if m in sys.modules))\n"
    )
    sample = ROOT / "corpus" / "answers.csv"
    out = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, check=True)
    coded, freq, loaded = out.stdout.split(maxsplit=2)
    assert int(coded) > 10 and int(freq) > 10 and loaded.strip() == "[]", out.stdout
