"""Every command of the README's command-line block runs as pasted from the repository root (issue #15)."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli

pytestmark = pytest.mark.slow


def _readme_commands(root):
    text = (root / "README.md").read_text(encoding="utf-8")
    block = text.split("## On the command line", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()  # trailing comments
        if line:
            lines.append(line)
    return lines


def test_readme_block_names_only_shipped_files(request):
    root = request.config.rootpath
    for line in _readme_commands(root):
        for word in shlex.split(line):
            if "/" in word and not word.startswith("$"):
                assert (root / word).exists(), f"{word} in: {line}"


def test_readme_commands_run_as_pasted(request, tmp_path, monkeypatch):
    root = request.config.rootpath
    # The repository root as the user sees it; outputs land in tmp_path.
    for name in ("corpus", "codebooks"):
        (tmp_path / name).symlink_to(root / name)
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands(root)
    assert len(commands) >= 20
    for line in commands:
        argv = shlex.split(line)
        assert argv[0] == "kotoba-code"
        r = CliRunner().invoke(cli, [*argv[1:], "--no-cache"] if _reads_corpus(argv) else argv[1:])
        assert r.exit_code == 0, f"{line}\n{r.output}"
    assert (tmp_path / "synthesis.md").read_text(encoding="utf-8").startswith("# グループ間で共通するテーマ")
    assert (tmp_path / "synthesis_en.md").read_text(encoding="utf-8").startswith("# Themes shared across groups")


def _reads_corpus(argv):
    return any(a.startswith("corpus/answers.csv") for a in argv[2:3]) or "corpus/answers.csv" in argv[1:4]
