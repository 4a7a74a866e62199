"""Every corpus-reading command takes the same input options, with the same
defaults as the library; KH Coder's automatic test runs from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code.cli.app import cli
from kotoba_code.corpus import UNIT_LEVELS

ROOT = Path(__file__).resolve().parents[1]
AUTOTEST = ROOT.parent / "shared" / "khcoder-autotest"

# The group of issue #12: every command that reads a corpus accepts these.
INPUT_OPTIONS = {
    "--text-col",
    "--id-col",
    "--sheet",
    "--encoding",
    "--unit",
    "--vars",
    "--user-words",
    "--split-mode",
    "--backend",
    "--cache-dir",
    "--no-cache",
    "--jobs",
    "--quiet",
}
# Commands that count words also take --stop-words.
COUNTING = {"words", "keyness", "network", "synthesize", "ca", "mds", "cluster", "topics", "related"}


def _options(cmd: click.Command) -> dict[str, click.Option]:
    return {name: p for p in cmd.params if isinstance(p, click.Option) for name in p.opts if name.startswith("--")}


def _reads_corpus(cmd: click.Command) -> bool:
    return any(isinstance(p, click.Argument) and p.name == "input_path" for p in cmd.params)


def test_corpus_commands_share_one_option_group():
    readers = {name: cmd for name, cmd in cli.commands.items() if _reads_corpus(cmd)}
    # The commands known to read a corpus today; a new one is checked too.
    assert {"tokenize", "words", "kwic", "keyness", "code", "freq", "lint", "network", "synthesize"} <= set(readers)
    for name, cmd in readers.items():
        opts = _options(cmd)
        missing = INPUT_OPTIONS - set(opts)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert list(opts["--unit"].type.choices) == list(UNIT_LEVELS), name
        assert "-q" in opts["--quiet"].opts and "-j" in opts["--jobs"].opts, name
        if name in COUNTING:
            assert "--stop-words" in opts, f"{name} counts words but has no --stop-words"
            # Issue #15: every command that counts words can also keep all words and fold synonyms.
            assert {"--no-stop-words", "--synonyms"} <= set(opts), name
        if "--stop-words" in opts:
            assert {"--no-stop-words", "--synonyms"} <= set(opts), name


def test_same_option_same_meaning_everywhere():
    """Help text and defaults of a shared option are identical across commands."""
    seen: dict[str, tuple[object, str | None]] = {}
    for name, cmd in cli.commands.items():
        if not _reads_corpus(cmd):
            continue
        for opt_name, opt in _options(cmd).items():
            if opt_name not in INPUT_OPTIONS - {"--unit"}:
                continue
            key = (opt.default, opt.help)
            assert seen.setdefault(opt_name, key) == key, f"{name} {opt_name} differs from other commands"


def test_unit_defaults_match_the_library():
    import inspect

    from kotoba_code.analysis.frequency import word_frequency
    from kotoba_code.coding import RuleCoder
    from kotoba_code.tokenize.tokens import Tokens

    lib = {
        "code": inspect.signature(RuleCoder.code).parameters["unit"].default,
        "words": inspect.signature(word_frequency).parameters["unit"].default,
        "tokenize": inspect.signature(Tokens.to_frame).parameters["unit"].default,
    }
    for name, default in lib.items():
        assert _options(cli.commands[name])["--unit"].default == default, name


def test_quiet_accepted_by_test_command(tmp_path: Path):
    r = CliRunner().invoke(
        cli,
        ["test", str(ROOT / "corpus" / "labelled" / "dev.csv"), "--codebook", "welfare_employment", "-q"],
    )
    assert r.exit_code == 0, r.output
    assert "macro P/R/F1" in r.output


def test_vars_and_user_words_on_network(tmp_path: Path):
    """network used to lack --vars/--user-words; with a user word the compound stays one node."""
    src = tmp_path / "a.csv"
    src.write_text("id,text\n1,自立相談支援機関と連携\n2,自立相談支援機関と連携する\n", encoding="utf-8")
    words = tmp_path / "u.txt"
    words.write_text("自立相談支援機関\n", encoding="utf-8")
    out = tmp_path / "n.graphml"
    args = ["network", str(src), "--min-df", "1", "--no-cache", "-q", "-o", str(out)]
    r = CliRunner().invoke(cli, [*args, "--user-words", str(words)])
    assert r.exit_code == 0, r.output
    assert "自立相談支援機関" in out.read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "自立相談支援機関" not in out.read_text(encoding="utf-8")


def test_words_counts_units(tmp_path: Path):
    src = tmp_path / "a.csv"
    src.write_text("id,text\n1,連携が大事。連携を進める。\n", encoding="utf-8")
    base = ["words", str(src), "--no-cache", "-q", "-o"]
    doc, sent = tmp_path / "d.csv", tmp_path / "s.csv"
    assert CliRunner().invoke(cli, [*base, str(doc)]).exit_code == 0
    assert CliRunner().invoke(cli, [*base, str(sent), "--unit", "sentence"]).exit_code == 0
    d = pd.read_csv(doc, encoding="utf-8-sig").set_index("word")
    s = pd.read_csv(sent, encoding="utf-8-sig").set_index("word")
    assert (d.loc["連携", "count"], d.loc["連携", "docs"]) == (2, 1)
    assert (s.loc["連携", "count"], s.loc["連携", "docs"]) == (2, 2)


@pytest.mark.slow
@pytest.mark.skipif(not AUTOTEST.exists(), reason="../shared/khcoder-autotest is not present on this machine")
def test_khcoder_autotest_through_the_cli(tmp_path: Path):
    """`freq kokoro2.txt --codebook theme.cod --unit h2 --vars …` gives KH Coder's H2 counts."""
    out = tmp_path / "h2.csv"
    args = [
        "freq",
        str(AUTOTEST / "kokoro2.txt"),
        "--codebook",
        str(AUTOTEST / "theme.cod"),
        "--unit",
        "h2",
        "--vars",
        f"{AUTOTEST / 'out_var.csv'}:paragraph",
        "--vars",
        f"{AUTOTEST / 'out_var2.csv'}:h1",
        "--no-cache",
        "-q",
        "-o",
        str(out),
    ]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    got = pd.read_csv(out, encoding="utf-8-sig").set_index("code")["count"]
    text = (AUTOTEST / "cod.txt").read_bytes().decode("euc_jp")
    section = next(s for s in text.split("■") if s.startswith("単純集計：h2単位"))
    want = {
        parts[0][1:]: int(parts[1])
        for parts in (line.split("\t") for line in section.splitlines()[1:])
        if parts[0].startswith("＊")
    }
    assert len(want) == 34
    # Codes that do not depend on the tokenizer match exactly; word codes
    # within 15 % (KH Coder used ChaSen, kotoba_code uses Sudachi), as in
    # tests/test_khcoder_autotest.py.
    structural = {"見出し・上", "見出し・中", "見出し・下", "外部変数・上", "外部変数・中", "外部変数・下"}
    structural |= {"外部変数（段落）", "他のコード", "No.2-5", "文字列"}
    for code, n in want.items():
        if code in structural:
            assert got[code] == n, code
        else:
            assert abs(got[code] - n) <= 0.15 * n, (code, got[code], n)
    # The cross tabulation by a heading variable also runs from the CLI.
    r = CliRunner().invoke(cli, [*args[:-2], "--by", "大見出し", "-o", str(out)])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(io.StringIO(out.read_text(encoding="utf-8-sig")))
    assert {"count:上", "count:中", "count:下"} <= set(table.columns)
