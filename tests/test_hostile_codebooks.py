"""Codebooks from someone else (issue #11, part B): YAML alias bombs,
catastrophic regular expressions, rules nested to exhaust the stack, empty
codebooks, and REFI-QDA files passed for each other or inflating to
gigabytes. Each must end within seconds in one catalogue error line (or a
complete, correct result), from the API and from the command line."""

from __future__ import annotations

import threading
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from kotoba_code import Corpus
from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook
from kotoba_code.codebook.rules import MAX_DEPTH, depth, parse_rule
from kotoba_code.coding import apply_codebook, lint_codebook
from kotoba_code.coding.safe_regex import RuleRegex
from kotoba_code.errors import CodebookError, CorpusReadError
from kotoba_code.io.archive import MAX_XML_BYTES
from kotoba_code.io.refi_qda import read_qdc, read_qdpx, write_qdc, write_qdpx


def run(*args: object) -> tuple[int, str]:
    """The CLI in-process: exit code and everything it printed."""
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, list(map(str, args)))
    assert time.perf_counter() - t0 < 20, "the command must end in seconds"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, catalogue: str) -> str:
    assert code == 1
    assert "Traceback" not in output
    line = output.strip()
    assert line.startswith(f"Error: [{catalogue}]"), output
    assert "\n" not in line.split("\n    ")[0]
    return line


def alias_bomb(levels: int = 9) -> str:
    """Nine levels of nine aliases: 9**9 (387 million) words once expanded."""
    lines = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines)


# -- 1. YAML aliases ---------------------------------------------------------------


def test_a_yaml_alias_bomb_in_synonyms_is_refused_before_it_expands(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text("synonyms:\n" + alias_bomb() + "\ncodes:\n  - id: x\n    rule: $a9\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(CodebookError, match=r"\[E314\] .*bomb\.yaml, line 2: .*alias"):
        Codebook.load(p)
    assert time.perf_counter() - t0 < 2
    line = assert_one_line_error(*run("export-codebook", p, "-o", tmp_path / "out.qdc"), "E314")
    assert "bomb.yaml" in line


def test_shipped_codebooks_use_no_anchors_so_refusing_aliases_costs_nothing():
    import yaml

    root = Path(__file__).resolve().parents[1] / "codebooks"
    files = sorted(root.glob("*.yaml"))
    assert files
    for f in files:
        events = list(yaml.parse(f.read_text(encoding="utf-8")))
        assert not any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events), f
        assert len(Codebook.load(f)) > 0


def _qdc_with_description(tmp_path: Path, description_block: str) -> Path:
    cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    p = write_qdc(cb, tmp_path / "cb.qdc")
    xml = p.read_text(encoding="utf-8")
    # Replace the code's kotoba-code block with the hostile one.
    start = xml.index("kotoba-code:\n  id: gap")
    end = xml.index("</Description>", start)
    p.write_text(xml[:start] + escape(description_block) + xml[end:], encoding="utf-8")
    return p


def test_an_alias_bomb_inside_a_qdc_description_is_refused(tmp_path):
    bomb = "kotoba-code:\n  id: gap\n  rule: 温度差\n  junk:\n" + alias_bomb().replace("  a", "    a")
    p = _qdc_with_description(tmp_path, bomb)
    with pytest.raises(CodebookError, match=r"\[E409\].*\[E314\]"):
        read_qdc(p)
    line = assert_one_line_error(*run("import-codebook", p, "-o", tmp_path / "cb.yaml"), "E409")
    assert "cb.qdc" in line and "alias" in line


def test_an_alias_bomb_inside_a_qdpx_is_refused_by_kotoba_code_test(tmp_path):
    cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    good = write_qdpx(
        apply_codebook(cb, Corpus.from_texts(["温度差がある", "特になし"]), cache=False), tmp_path / "ok.qdpx"
    )
    bad = tmp_path / "bomb.qdpx"
    bomb = "kotoba-code:\n  id: gap\n  junk:\n" + alias_bomb().replace("  a", "    a")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "project.qde":
                xml = data.decode("utf-8")
                start = xml.index("kotoba-code:\n  id: gap")
                data = (xml[:start] + escape(bomb) + xml[xml.index("</Description>", start) :]).encode("utf-8")
            dst.writestr(info, data)
    yaml_cb = tmp_path / "cb.yaml"
    yaml_cb.write_text("codes:\n  - id: gap\n    label: 温度差\n    rule: 温度差\n", encoding="utf-8")
    assert_one_line_error(*run("test", bad, "--codebook", yaml_cb), "E409")


def test_yaml_nested_too_deeply_is_a_catalogue_error(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text("codes: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    assert_one_line_error(*run("export-codebook", p, "-o", tmp_path / "x.qdc"), "E305")


# -- 2. catastrophic regular expressions ----------------------------------------------


def test_a_catastrophic_regex_rule_is_stopped_and_named(tmp_path):
    p = tmp_path / "redos.yaml"
    p.write_text("codes:\n  - id: ok\n    rule: 温度差\n  - id: redos\n    rule: /(a+)+$/\n", encoding="utf-8")
    data = tmp_path / "answers.csv"
    data.write_text("id,answer\n1," + "a" * 40 + "b\n2,温度差がある\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(CodebookError, match=r"\[E312\] .*redos\.yaml, line 5, code 'redos': .*\(a\+\)\+\$"):
        apply_codebook(Codebook.load(p), Corpus.from_texts(["a" * 40 + "b", "温度差がある"]), cache=False)
    assert time.perf_counter() - t0 < 10
    code, out = run("code", data, "--text-col", "answer", "--id-col", "id", "--codebook", p, "--no-cache", "-q")
    assert "line 5, code 'redos'" in assert_one_line_error(code, out, "E312")


def test_a_backtracking_pattern_that_ends_gives_re_results(tmp_path):
    # Lookbehind and $ need re; a harmless pattern runs to the end with re's answer.
    cb = Codebook.from_dict({"codes": [{"id": "x", "rule": "/(?<![労務])経験$/"}, {"id": "y", "rule": "/経験/"}]})
    res = apply_codebook(cb, Corpus.from_texts(["業務経験", "福祉の経験", "経験がない", "職場経験"]), cache=False)
    assert res.matrix["x"].tolist() == [False, True, False, True]
    assert res.matrix["y"].tolist() == [True, True, True, True]
    spans = res.evidence[res.evidence["code"] == "x"][["start", "end"]].values.tolist()
    assert spans == [[3, 5], [2, 4]]


def test_rule_regexes_run_on_re2_only_where_it_is_exact():
    assert RuleRegex("知識(が|は)?(ない|不足)").engine == "re2"
    # Unicode classes, $, lookarounds, back-references, flags, empty matches: re.
    for p in [r"\d+年", r"\w+", "経験$", "(?<![労務])経験", r"(a)\1", "(?i)hw", "a*", r"\bHW", "(?:x|)*"]:
        assert RuleRegex(p).engine == "re", p
    text = "知識がない。\n知識不足と知識は不足"
    for p in ["知識(が|は)?(ない|不足)", "[^。]{0,3}不足", "知識.+?不足", "^知識", r"不足\Z", "(不足|不)"]:
        import re

        rx = RuleRegex(p)
        assert rx.engine == "re2", p
        assert rx.spans(text) == [m.span() for m in re.finditer(p, text)], p


def test_outside_the_main_thread_a_regex_is_still_limited():
    found: list[object] = []

    def work() -> None:
        try:
            found.append(RuleRegex("(a+)+$", code="redos", line=2).count("a" * 40 + "b"))
        except CodebookError as exc:  # either outcome is bounded; never a hang
            found.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(30)
    assert not t.is_alive() and found
    assert found[0] == 0 or "E312" in str(found[0])


# -- 3. deep nesting ---------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    ["(" * 150 + "a" + ")" * 150, "!" * 2000 + "a", "neg(" * 80 + "a" + ")" * 80, " + ".join(["lw"] * 300) + " > 1"],
)
def test_deeply_nested_rules_are_refused_from_yaml(tmp_path, rule):
    p = tmp_path / "deep.yaml"
    p.write_text(f"codes:\n  - id: deep\n    rule: '{rule}'\n", encoding="utf-8")
    line = assert_one_line_error(*run("export-codebook", p, "-o", tmp_path / "x.cod"), "E313")
    assert "deep.yaml, line 3, code 'deep'" in line


def test_a_deeply_nested_rule_in_a_qdc_is_refused_by_import_codebook(tmp_path):
    deep = "(" * 150 + "温度差" + ")" * 150
    p = _qdc_with_description(tmp_path, f"kotoba-code:\n  id: gap\n  rule: '{deep}'\n")
    line = assert_one_line_error(*run("import-codebook", p, "-o", tmp_path / "cb.yaml"), "E313")
    assert "code 'gap'" in line


def test_a_rule_at_the_depth_limit_parses_exports_and_codes(tmp_path):
    rule = "(" * (MAX_DEPTH - 2) + "温度差 | 連携" + ")" * (MAX_DEPTH - 2)
    assert depth(parse_rule(rule)) <= MAX_DEPTH
    cb = Codebook.from_dict({"codes": [{"id": "deep", "label": "深い", "rule": rule}]})
    res = apply_codebook(cb, Corpus.from_texts(["温度差がある", "連携した", "なし"]), cache=False)
    assert res.matrix["deep"].tolist() == [True, True, False]
    for out in ("x.cod", "x.qdc", "x.yaml"):
        code, output = run("export-codebook", _write_yaml(tmp_path, rule), "-o", tmp_path / out)
        assert code == 0, output
    assert read_qdc(tmp_path / "x.qdc")["deep"].rule == rule
    assert Codebook.load(tmp_path / "x.cod")["深い"].ast is not None  # KH Coder names codes by label


def _write_yaml(tmp_path: Path, rule: str) -> Path:
    p = tmp_path / "deep_ok.yaml"
    p.write_text(f"codes:\n  - id: deep\n    label: 深い\n    rule: '{rule}'\n", encoding="utf-8")
    return p


# -- 4. empty codebooks, mixed-up and oversized REFI-QDA files ---------------------------


def test_a_codebook_without_codes_is_an_error_naming_the_file(tmp_path):
    p = tmp_path / "empty.yaml"
    p.write_text("name: empty\nsynonyms:\n  hw: [ハローワーク]\n", encoding="utf-8")
    line = assert_one_line_error(*run("export-codebook", p, "-o", tmp_path / "x.qdc"), "E315")
    assert "empty.yaml" in line
    with pytest.raises(CodebookError, match=r"\[E315\] .*empty\.yaml"):
        Codebook.load(p)


def test_a_project_passed_as_codebook_and_a_codebook_passed_as_project_say_so(tmp_path):
    cb = Codebook.from_dict({"codes": [{"id": "gap", "label": "温度差", "rule": "温度差"}]})
    qdpx = write_qdpx(apply_codebook(cb, Corpus.from_texts(["温度差がある"]), cache=False), tmp_path / "p.qdpx")
    qdc = write_qdc(cb, tmp_path / "c.qdc")
    line = assert_one_line_error(*run("import-codebook", qdpx, "-o", tmp_path / "x.yaml"), "E411")
    assert "p.qdpx" in line and "project" in line and "pass a .qdc" in line
    # The same file renamed: recognised by its content, not its name.
    renamed = tmp_path / "renamed.qdc"
    renamed.write_bytes(qdpx.read_bytes())
    assert "pass a .qdc" in assert_one_line_error(*run("import-codebook", renamed, "-o", tmp_path / "y.yaml"), "E411")
    with pytest.raises(CorpusReadError, match=r"\[E411\] .*c\.qdc: this is a REFI-QDA codebook .*pass a \.qdpx"):
        read_qdpx(qdc)
    as_project = tmp_path / "c.qdpx"
    as_project.write_bytes(qdc.read_bytes())
    yaml_cb = tmp_path / "cb.yaml"
    yaml_cb.write_text("codes:\n  - id: gap\n    rule: 温度差\n", encoding="utf-8")
    assert "pass a .qdpx" in assert_one_line_error(*run("test", as_project, "--codebook", yaml_cb), "E411")


@pytest.mark.slow
def test_a_huge_project_xml_in_a_small_qdpx_is_refused_without_reading_it(tmp_path):
    p = tmp_path / "big.qdpx"
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("project.qde", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0">')
            for _ in range(MAX_XML_BYTES // len(chunk) + 8):
                f.write(chunk)
            f.write(b"</Project>")
    assert p.stat().st_size < 5 * 1024**2
    t0 = time.perf_counter()
    with pytest.raises(CorpusReadError, match=r"\[E404\] .*big\.qdpx: member 'project\.qde'"):
        read_qdpx(p)
    assert time.perf_counter() - t0 < 5


def test_a_long_chain_of_code_references_loads_and_codes():
    n = 3000
    codes = [{"id": "c0", "rule": "温度差"}] + [{"id": f"c{i}", "rule": f"<*c{i - 1}>"} for i in range(1, n)]
    cb = Codebook.from_dict({"codes": codes[::-1]})  # the last first: the order must come from the references
    assert [c.id for c in cb.ordered_codes()][:3] == ["c0", "c1", "c2"]
    res = apply_codebook(cb, Corpus.from_texts(["温度差がある", "なし"]), cache=False)
    assert res.matrix[f"c{n - 1}"].tolist() == [True, False]
    codes[0] = {"id": "c0", "rule": f"<*c{n - 1}>"}
    with pytest.raises(CodebookError, match=r"\[E304\] .*cyclic.*c0 → c2999 → c2998"):
        Codebook.from_dict({"codes": codes})


def test_lint_of_a_glob_built_to_backtrack_ends_at_once():
    from kotoba_code import tokenize

    glob = "*あ" * 14 + "*ん"
    cb = Codebook.from_dict({"codes": [{"id": "g", "rule": glob}]})
    tokens = tokenize(
        Corpus.from_texts(["あああああああああああああああああああああああああ", "温度差がある"]), cache=False
    )
    t0 = time.perf_counter()
    warnings = lint_codebook(cb, tokens)
    assert time.perf_counter() - t0 < 2
    assert [(w.word, w.kind) for w in warnings] == [(glob, "unseen")]


def test_codes_nested_thousands_deep_in_a_qdc_or_yaml_are_refused(tmp_path):
    n = 5000
    p = tmp_path / "nested.qdc"
    inner = '<Code guid="g" name="x" isCodable="true">' * n + "</Code>" * n
    p.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{inner}</Codes></CodeBook>')
    line = assert_one_line_error(*run("import-codebook", p, "-o", tmp_path / "x.yaml"), "E408")
    assert "nested more than" in line
    data: dict = {"id": "leaf", "rule": "温度差"}
    for i in range(60):
        data = {"id": f"c{i}", "codes": [data]}
    with pytest.raises(CodebookError, match=r"\[E306\] .*nested more than 50 levels"):
        Codebook.from_dict({"codes": [data]})
