"""Progress on stderr (issue #15): shown on a terminal, silent with -q or when stderr is not a terminal."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from kotoba_code.cli import _common
from kotoba_code.cli.app import cli

pytestmark = pytest.mark.slow


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_step_shows_time_on_a_terminal_only(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(_common.sys, "stderr", term)
    monkeypatch.setattr(_common.click, "echo", lambda m="", err=False, nl=True: term.write(m + ("\n" if nl else "")))
    with _common.step(False, "コーディング"):
        pass
    assert term.getvalue().startswith("コーディング …") and term.getvalue().rstrip().endswith(" s")
    term.seek(0), term.truncate()
    with _common.step(True, "コーディング"):
        pass
    assert term.getvalue() == ""
    pipe = io.StringIO()  # not a terminal
    monkeypatch.setattr(_common.sys, "stderr", pipe)
    assert not _common.show_progress(False)


def test_synthesize_summary_and_quiet(request, tmp_path):
    answers = request.config.rootpath / "corpus" / "answers.csv"
    args = ["synthesize", answers, "--text-col", "answer", "--id-col", "id", "--codebook", "welfare_employment"]
    r = CliRunner().invoke(cli, [str(a) for a in args] + ["-o", str(tmp_path / "s.md")])
    assert r.exit_code == 0
    lines = [x for x in r.stderr.splitlines() if x]
    # Not a terminal: no progress, one summary line (after the sample-corpus notes).
    assert not any("…" in x for x in lines)
    assert lines[-1].startswith("12 shared themes of 20 (共通の基準") and lines[-1].endswith("s.md")
    q = CliRunner().invoke(cli, [str(a) for a in args] + ["-q", "-o", str(tmp_path / "q.md")])
    assert q.exit_code == 0 and q.stderr == ""


def test_terminal_table_aligns_japanese_by_display_width():
    import pandas as pd

    df = pd.DataFrame({"code": ["温度差", "knowhow", "ＨＷとの連携"], "f1": [0.5, 0.75, 1.0]})
    lines = _common.terminal_table(df).splitlines()
    # The numbers end in the same terminal column on every line.
    assert len({_common.display_width(x) for x in lines}) == 1
    assert lines[1].startswith("温度差 ") and lines[1].endswith("0.5")


def test_lint_on_the_shipped_codebook_is_short_unless_verbose(request):
    answers = request.config.rootpath / "corpus" / "answers.csv"
    args = ["lint", str(answers), "--text-col", "answer", "--id-col", "id", "--codebook", "welfare_employment", "-q"]
    short = CliRunner().invoke(cli, args)
    full = CliRunner().invoke(cli, [*args, "--verbose"])
    assert short.exit_code == full.exit_code == 0
    n_short = sum(1 for x in short.stdout.splitlines() if ", line " in x)
    n_full = sum(1 for x in full.stdout.splitlines() if ", line " in x)
    assert n_short <= 20 < n_full
    assert "more (--verbose lists every one" in short.stdout
