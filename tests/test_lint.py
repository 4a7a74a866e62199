"""Codebook.lint and `kotoba-code lint`: one warning per word and place,
synonym-list words at the list, grouped output and the --summary counts.
Real SudachiPy: the expectations name how its dictionary splits the words."""

import pytest
from click.testing import CliRunner

from kotoba_code import Corpus, tokenize
from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook, LintWarning
from kotoba_code.coding import lint_codebook

TEXT = "ハローワークと連携する。支援が不足している。"

# The line numbers matter: the tests check them.
CODEBOOK = """\
name: lintmini
synonyms:
  hw: [ハローワーク, 職安, 求人誌]
  staff:
    - 支援
    - 就労支援員
    - ハロワ
codes:
  - id: a
    rule: $hw & $hw | near($hw-連携)[5] | 窓口 | 窓口
  - id: b
    rule: |
      $hw | $staff | 支援候補者 |
      支援候補者 | 面接会
  - id: c
    rule: 不足
"""
# Under Sudachi (mode C) and TEXT: 職安, ハロワ and 窓口 are one token that never
# occurs; 求人誌 (求人 + 誌), 就労支援員 (就労 + 支援 + 員), 支援候補者 (支援 + 候補者)
# and 面接会 (面接 + 会) are several tokens; the other words occur.


@pytest.fixture
def cb_path(tmp_path):
    path = tmp_path / "lintmini.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokens():
    return tokenize(Corpus.from_texts([TEXT]), cache=False)


def test_synonym_list_lines_are_kept_for_flow_and_block_lists(cb_path):
    assert Codebook.load(cb_path).synonym_lines == {"hw": 3, "staff": 4}


def test_one_warning_per_word_and_place_in_file_order(cb_path, tokens):
    cb = Codebook.load(cb_path)
    found = [(w.synonym_list or w.code, w.line, w.word, w.kind) for w in lint_codebook(cb, tokens)]
    assert found == [
        # $hw is used three times by a and once by b: each of its words once, at the list.
        ("hw", 3, "職安", "unseen"),
        ("hw", 3, "求人誌", "split"),
        ("staff", 4, "就労支援員", "split"),
        ("staff", 4, "ハロワ", "unseen"),
        # 窓口 written twice on one line: one warning.
        ("a", 10, "窓口", "unseen"),
        # 支援候補者 on two lines of b's rule: one warning per line.
        ("b", 13, "支援候補者", "split"),
        ("b", 14, "支援候補者", "split"),
        ("b", 14, "面接会", "split"),
    ]


def test_a_list_used_twice_in_one_rule_gives_one_warning_per_word(tokens):
    cb = Codebook.from_dict(
        {
            "synonyms": {"x": ["ハローワーク", "職安", "求人誌"]},
            "codes": [{"id": "a", "rule": "$x & $x | near($x-連携)"}],
        }
    )
    warnings = lint_codebook(cb, tokens)
    assert sorted(w.word for w in warnings) == sorted(["職安", "求人誌"])
    assert all(w.synonym_list == "x" and w.code == "" for w in warnings)


def test_a_shared_list_word_is_reported_once_at_the_list(cb_path, tokens):
    cb = Codebook.load(cb_path)
    (w,) = [w for w in lint_codebook(cb, tokens) if w.word == "職安"]
    assert w == LintWarning(
        file=str(cb_path), line=3, word="職安", kind="unseen", synonym_list="hw", used_by=("a", "b")
    )
    assert str(w) == f"{cb_path}, line 3, synonym list $hw: '職安' never occurs in the corpus"
    (s,) = [w for w in lint_codebook(cb, tokens) if w.word == "就労支援員"]
    assert str(s) == (
        f"{cb_path}, line 4, synonym list $staff: '就労支援員' is 3 tokens here (就労 + 支援 + 員); "
        "it is matched as that phrase. Add it to user_words to keep it whole."
    )


def test_rule_words_keep_the_old_message(cb_path, tokens):
    by_word = {(w.word, w.line): str(w) for w in lint_codebook(Codebook.load(cb_path), tokens)}
    assert by_word[("窓口", 10)] == f"{cb_path}, line 10, code 'a': '窓口' never occurs in the corpus"
    assert by_word[("支援候補者", 13)] == (
        f"{cb_path}, line 13, code 'b': '支援候補者' is 2 tokens here (支援 + 候補者); "
        "it is matched as that phrase. Add it to user_words to keep it whole."
    )


def test_a_glob_that_matches_nothing_is_one_warning(tokens):
    cb = Codebook.from_dict({"codes": [{"id": "g", "rule": "連* | 存在甲* | 存在甲*"}]})
    assert [str(w) for w in lint_codebook(cb, tokens)] == [
        "<dict>, line 0, code 'g': '存在甲*' matches no word in the corpus"
    ]


# -- the command ---------------------------------------------------------------


def run_lint(cb_path, tmp_path, *extra):
    data = tmp_path / "answers.csv"
    data.write_text(f"id,answer\n1,{TEXT}\n", encoding="utf-8")
    args = ["lint", str(data), "--text-col", "answer", "--id-col", "id", "--codebook", str(cb_path), "--no-cache"]
    return CliRunner().invoke(cli, [*args, *extra], catch_exceptions=False)


def test_lint_lists_not_one_token_first_then_never_occurs_then_counts(cb_path, tmp_path):
    r = run_lint(cb_path, tmp_path)
    assert r.exit_code == 0  # warnings never change the exit status
    lines = r.stdout.splitlines()
    warnings = [x for x in lines if ".yaml, line" in x]
    assert len(warnings) == len(set(warnings)) == 8
    split = [i for i, x in enumerate(lines) if "tokens here" in x]
    unseen = [i for i, x in enumerate(lines) if "never occurs in the corpus" in x]
    assert len(split) == 5 and len(unseen) == 3
    # 職安 comes before 求人誌 in the file, yet every split word is listed first.
    assert max(split) < min(unseen)
    assert lines[0].startswith("== 5 not one token")
    assert any(x.startswith("== 3 never occur in the corpus") for x in lines)
    assert lines[-2:] == ["not one token: 5 warning(s)", "never occur in the corpus: 3 warning(s)"]
    assert "8 warning(s) for 3 codes" in r.stderr


def test_lint_summary_counts_per_code_and_list(cb_path, tmp_path):
    r = run_lint(cb_path, tmp_path, "--summary")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert not any("tokens here" in x or "never occurs" in x for x in lines)
    assert lines[0].split() == [
        "code",
        "or",
        "$list",
        "line",
        "not",
        "one",
        "token",
        "never",
        "occur",
        "in",
        "the",
        "corpus",
    ]
    rows = [x.split() for x in lines[1:] if x and ":" not in x]
    assert rows == [
        ["$hw", "3", "1", "1"],
        ["$staff", "4", "1", "1"],
        ["a", "10", "0", "1"],
        ["b", "13", "3", "0"],
    ]
    assert lines[-2:] == ["not one token: 5 warning(s)", "never occur in the corpus: 3 warning(s)"]


def test_lint_prints_nothing_for_a_clean_codebook(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text("codes:\n  - id: a\n    rule: 連携 | 不足\n", encoding="utf-8")
    for extra in ((), ("--summary",)):
        r = run_lint(path, tmp_path, *extra)
        assert r.exit_code == 0 and r.stdout == ""
        assert "0 warning(s) for 1 codes" in r.stderr
