"""REFI-QDA codebooks (.qdc) and projects (.qdpx): schema validity and round trips."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kotoba_code import Corpus, KotobaWarning
from kotoba_code.cli import main
from kotoba_code.cli.app import cli
from kotoba_code.codebook import Codebook
from kotoba_code.coding import apply_codebook
from kotoba_code.errors import CodebookError, CorpusReadError
from kotoba_code.evaluate import evaluate
from kotoba_code.io.labels import read_labels
from kotoba_code.io.refi_qda import (
    MACHINE_USER,
    make_guid,
    read_qdc,
    read_qdpx,
    read_qdpx_labels,
    write_qdc,
    write_qdpx,
)

xmlschema = pytest.importorskip("xmlschema")
REFI = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
pytestmark = pytest.mark.skipif(not REFI.is_dir(), reason="../shared/refi-qda (the REFI-QDA schemas) is not present")
WRAPPERS = {"Codes", "Sets", "Cases", "Users", "Variables", "Notes", "Sources", "Links", "Graphs"}

CODEBOOK = {
    "name": "mini",
    "negation": True,
    "synonyms": {"hw": ["ハローワーク", "HW"]},
    "user_words": ["温度差"],
    "categories": [
        {
            "id": "challenge",
            "label": "連携上の課題",
            "codes": [
                {
                    "id": "gap",
                    "label": "温度差",
                    "description": "organisations differ in commitment",
                    "include": "hedges",
                    "exclude": "denials (温度差はない)",
                    "examples": ["自治体によって温度差がある"],
                    "rule": "温度差 | near(意識-差)[5]\n| /温度差が?ある/",
                    "codes": [{"id": "gap_hw", "label": "HWとの温度差", "examples": ["x"], "rule": "<*gap> & $hw"}],
                }
            ],
        }
    ],
    "codes": [
        {"id": "hw", "label": "ハローワーク", "examples": ["HWと連携"], "rule": "$hw"},
        {"id": "no_answer", "label": "無回答", "examples": ["特になし"], "rule": "lc == 0"},
        {"id": "manual", "label": "手作業", "examples": ["-"]},
    ],
}
TEXTS = [
    "ハローワークとの温度差がある。\r\n𠮷野家の前で𠮷田さんとHWの温度差を話した",
    "",
    "特になし",
    "意識の差\r\n大きい",
]


def _fields(code):
    return {k: v for k, v in dataclasses.asdict(code).items() if k not in ("line", "ast")}


def _same_codebook(a: Codebook, b: Codebook) -> None:
    assert [_fields(c) for c in a.codes] == [_fields(c) for c in b.codes]
    assert (a.name, a.synonyms, a.user_words, a.categories, a.negation, a.optional_variables) == (
        b.name,
        b.synonyms,
        b.user_words,
        b.categories,
        b.negation,
        b.optional_variables,
    )


def _corpus() -> Corpus:
    meta = pd.DataFrame({"group": ["自治体", "HW", "自治体", ""], "age": [34, 51, 29, 40]})
    return Corpus(["r1", "r2", "r3", "r4"], TEXTS, metadata=meta, name="survey.csv")


def _validate_qde(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        xmlschema.XMLSchema(REFI / "Project.xsd").validate(io.BytesIO(zf.read("project.qde")))


def _no_empty_wrappers(xml: bytes) -> None:
    import defusedxml.ElementTree as ET

    for el in ET.fromstring(xml).iter():
        if el.tag.rsplit("}", 1)[-1] in WRAPPERS:
            assert len(el), f"empty <{el.tag}>"


# -- codebooks -------------------------------------------------------------------


def test_qdc_validates_and_round_trips(tmp_path):
    cb = Codebook.from_dict(CODEBOOK)
    path = write_qdc(cb, tmp_path / "mini.qdc")
    xmlschema.XMLSchema(REFI / "Codebook.xsd").validate(path)
    _no_empty_wrappers(path.read_bytes())
    back = read_qdc(path)
    _same_codebook(cb, back)
    corpus = _corpus()
    assert apply_codebook(back, corpus, cache=False).matrix.equals(apply_codebook(cb, corpus, cache=False).matrix)


def test_qdc_nests_codes_under_categories_and_parents_with_colours(tmp_path):
    import defusedxml.ElementTree as ET

    path = write_qdc(Codebook.from_dict(CODEBOOK), tmp_path / "mini.qdc")
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    root = ET.fromstring(path.read_bytes())
    category = root.find("q:Codes/q:Code", ns)
    assert (category.get("name"), category.get("isCodable")) == ("連携上の課題", "false")
    gap = category.find("q:Code", ns)
    assert (gap.get("name"), gap.get("isCodable"), gap.get("guid")) == ("温度差", "true", make_guid("code", "gap"))
    assert gap.find("q:Code", ns).get("name") == "HWとの温度差"
    assert gap.get("color") == category.get("color") and gap.get("color").startswith("#")
    # The description a coder reads starts with the code's own description.
    assert gap.find("q:Description", ns).text.startswith("organisations differ in commitment\n\nkotoba-code:")


def test_qdc_guids_are_stable_across_exports(tmp_path):
    a = write_qdc(Codebook.from_dict(CODEBOOK), tmp_path / "a.qdc").read_bytes()
    b = write_qdc(Codebook.from_dict(CODEBOOK), tmp_path / "b.qdc").read_bytes()
    assert a == b
    assert make_guid("code", "gap").encode() in a


def test_shipped_codebook_round_trips_through_qdc(tmp_path):
    cb = Codebook.load("welfare_employment")
    _same_codebook(cb, read_qdc(write_qdc(cb, tmp_path / "w.qdc")))


FOREIGN_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022">
  <Codes>
    <Code guid="{00000000-0000-0000-0000-000000000001}" name="課題" isCodable="false" color="#FF0000">
      <Code guid="00000000-0000-0000-0000-000000000002" name="温度差" isCodable="true" color="#00ff7f">
        <Description>commitment differs</Description>
      </Code>
      <Code guid="00000000-0000-0000-0000-000000000003" name="その他" isCodable="true"/>
    </Code>
    <Code guid="00000000-0000-0000-0000-000000000004" name="工夫" isCodable="true" color="red">
      <Code guid="00000000-0000-0000-0000-000000000005" name="その他" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
"""


def test_qdc_from_another_tool_gives_codes_without_rules(tmp_path):
    path = tmp_path / "maxqda.qdc"
    path.write_text(FOREIGN_QDC, encoding="utf-8")
    cb = read_qdc(path)
    assert cb.categories == {"課題": "課題"}
    assert [(c.id, c.label, c.category, c.rule, c.description) for c in cb.codes] == [
        ("温度差", "温度差", "課題", "", "commitment differs"),
        ("その他", "その他", "課題", "", ""),
        ("工夫", "工夫", "", "", ""),
        ("その他_2", "その他", "工夫", "", ""),
    ]
    assert all(c.ast is None for c in cb.codes)
    # Colours in #RRGGBB are kept; anything else is dropped.
    assert [c.color for c in cb.codes] == ["#00FF7F", "", "", ""]
    # Codes without rules can still be scored against: they are never given.
    assert not apply_codebook(cb, Corpus.from_texts(["温度差がある"]), cache=False).matrix.any().any()


def test_qdc_with_a_broken_kotoba_block_names_the_code(tmp_path):
    text = write_qdc(Codebook.from_dict(CODEBOOK), tmp_path / "a.qdc").read_text(encoding="utf-8")
    broken = tmp_path / "broken.qdc"
    broken.write_text(text.replace("  id: hw\n", "  id: [hw\n", 1), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"E409.*broken.qdc, code 'ハローワーク'"):
        read_qdc(broken)


def test_empty_codebook_cannot_be_a_qdc(tmp_path):
    with pytest.raises(CodebookError, match="no codes"):
        write_qdc(Codebook(codes=[]), tmp_path / "x.qdc")


# -- projects --------------------------------------------------------------------


def _expected_selections(result) -> set[tuple[str, str, int, int]]:
    """Every (document, code, start, end) the export should hold, from the result itself."""
    texts = dict(zip(result.units["id"], result.units["end"], strict=True))
    out = set()
    ev = result.evidence
    for doc_id, row in result.matrix.iterrows():
        for code in row.index[row.to_numpy()]:
            hits = ev[(ev["id"] == doc_id) & (ev["code"] == code)]
            spans = list(zip(hits["start"], hits["end"], strict=True)) or [(0, texts[doc_id])]
            out |= {(doc_id, code, int(s), int(e)) for s, e in spans}
    return out


def test_qdpx_validates_and_round_trips(tmp_path):
    cb = Codebook.from_dict(CODEBOOK)
    corpus = _corpus()
    result = apply_codebook(cb, corpus, cache=False)
    path = write_qdpx(result, tmp_path / "coded.qdpx")
    _validate_qde(path)
    with zipfile.ZipFile(path) as zf:
        _no_empty_wrappers(zf.read("project.qde"))
        # Texts are stored byte for byte: CRLF and 𠮷 (U+20BB7) survive.
        assert zf.read(f"sources/{make_guid('source', 'r1')}.txt") == TEXTS[0].encode("utf-8")
    project = read_qdpx(path)
    assert project.documents["id"].tolist() == corpus.ids.tolist()
    assert project.documents["text"].tolist() == TEXTS
    pd.testing.assert_frame_equal(
        project.variables.drop(columns="id"), corpus.metadata, check_dtype=False, check_index_type=False
    )
    sel = project.selections
    got = set(zip(sel["id"], sel["code"], sel["start"], sel["end"], strict=True))
    assert got == _expected_selections(result)
    assert (sel["coder"] == MACHINE_USER).all()
    # Offsets count code points: the selected text is exactly the evidence.
    for doc_id, start, end, text in zip(sel["id"], sel["start"], sel["end"], sel["text"], strict=True):
        assert TEXTS[corpus.ids.tolist().index(doc_id)][start:end] == text
    assert "𠮷" in TEXTS[0][: sel[(sel["id"] == "r1") & (sel["text"] == "温度差")]["start"].max()]
    # The empty answer is coded as a whole source (nothing to select).
    assert ("r2", "no_answer", 0, 0) in got
    _same_codebook(cb, project.codebook())


def test_qdpx_unit_spans_and_plain_corpus(tmp_path):
    cb = Codebook.from_dict(CODEBOOK)
    corpus = _corpus()
    result = apply_codebook(cb, corpus, unit="paragraph", cache=False)
    path = write_qdpx(result, tmp_path / "units.qdpx", spans="unit")
    _validate_qde(path)
    sel = read_qdpx(path).selections
    units = result.units.set_index(["id", "unit"])
    expected = {
        (i, code, int(units.loc[(i, u), "start"]), int(units.loc[(i, u), "end"]))
        for (i, u), row in result.matrix.iterrows()
        for code in row.index[row.to_numpy()]
    }
    assert set(zip(sel["id"], sel["code"], sel["start"], sel["end"], strict=True)) == expected
    # A corpus without coding: sources, cases and the codes to code with.
    plain = write_qdpx(corpus, tmp_path / "plain.qdpx", codebook=cb)
    _validate_qde(plain)
    project = read_qdpx(plain)
    assert project.selections.empty and project.documents["text"].tolist() == TEXTS
    assert set(project.codes["id"]) == set(cb.ids) | {"challenge"}


def test_machine_coded_project_scores_perfectly_against_its_rules(tmp_path):
    cb = Codebook.from_dict(CODEBOOK)
    path = write_qdpx(apply_codebook(cb, _corpus(), cache=False), tmp_path / "coded.qdpx")
    sample = read_labels(path, codebook=cb)
    assert sample.coders == [MACHINE_USER]
    ev = evaluate(cb, sample)
    assert ev.codes["f1"].tolist() == [1.0] * len(cb.ids)
    assert ev.n == 4


def _write_project(path: Path, qde: str, sources: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for guid, text in sources.items():
            zf.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    return path


G = "00000000-0000-0000-0000-0000000000{:02d}".format
REVIEWED_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="reviewed" origin="NVivo 14">
  <Users>
    <User guid="{make_guid("user", MACHINE_USER)}" name="{MACHINE_USER}"/>
    <User guid="{G(1)}" name="Sato"/>
    <User guid="{G(2)}" name="Ito"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{make_guid("code", "gap")}" name="温度差（改）" isCodable="true"/>
    <Code guid="{G(10)}" name="ハローワーク" isCodable="true"/>
    <Code guid="{G(11)}" name="良い引用" isCodable="true"/>
  </Codes></CodeBook>
  <Variables><Variable guid="{G(20)}" name="group" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="{G(21)}" name="A"><VariableValue><VariableRef targetGUID="{G(20)}"/><TextValue>HW</TextValue>
    </VariableValue><SourceRef targetGUID="{G(30)}"/></Case></Cases>
  <Sources>
    <TextSource guid="{G(30)}" name="回答A" plainTextPath="internal://{G(30)}.txt">
      <PlainTextSelection guid="{G(40)}" startPosition="9" endPosition="12" creatingUser="{make_guid("user", MACHINE_USER)}">
        <Coding guid="{G(41)}" creatingUser="{make_guid("user", MACHINE_USER)}"><CodeRef targetGUID="{make_guid("code", "gap")}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{G(42)}" startPosition="0" endPosition="6" creatingUser="{G(1)}">
        <Coding guid="{G(43)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(10)}"/></Coding>
        <Coding guid="{G(44)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(11)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{G(31)}" name="回答B">
      <PlainTextContent>特になし</PlainTextContent>
      <Coding guid="{G(45)}" creatingUser="{G(2)}"><CodeRef targetGUID="{G(10)}"/></Coding>
    </TextSource>
  </Sources>
</Project>
"""


def test_project_coded_by_people_is_a_labelled_sample(tmp_path):
    path = _write_project(tmp_path / "reviewed.qdpx", REVIEWED_QDE, {G(30): "ハローワークとの𠮷温度差がある"})
    xmlschema.XMLSchema(REFI / "Project.xsd").validate(io.StringIO(REVIEWED_QDE))
    cb = Codebook.from_dict(CODEBOOK)
    with pytest.warns(KotobaWarning, match=r"W401.*良い引用"):
        sample = read_qdpx_labels(path, cb)
    assert sample.coders == ["Sato", "Ito"]
    labels = {(r.id, r.coder): r.codes for r in sample.labels.itertuples()}
    # The machine coding Sato and Ito kept counts for both; GUID and label matches work.
    assert labels == {
        ("回答A", "Sato"): {"gap", "hw"},
        ("回答B", "Sato"): set(),
        ("回答A", "Ito"): {"gap"},
        ("回答B", "Ito"): {"hw"},
    }
    assert sample.texts.to_dict(orient="records") == [
        {"id": "回答A", "text": "ハローワークとの𠮷温度差がある", "group": "HW"},
        {"id": "回答B", "text": "特になし", "group": ""},
    ]
    project = read_qdpx(path)
    sel = project.selections[["id", "text", "coder"]].values.tolist()
    assert sel == [
        ["回答A", "温度差", MACHINE_USER],
        ["回答A", "ハローワーク", "Sato"],
        ["回答A", "ハローワーク", "Sato"],
        ["回答B", "特になし", "Ito"],
    ]


def test_selection_beyond_the_text_is_refused(tmp_path):
    qde = REVIEWED_QDE.replace('startPosition="9" endPosition="12"', 'startPosition="9" endPosition="99"')
    path = _write_project(tmp_path / "bad.qdpx", qde, {G(30): "ハローワークとの𠮷温度差がある"})
    with pytest.raises(CorpusReadError, match=r"E408.*bad.qdpx.*回答A.*9–99.*UTF-16"):
        read_qdpx(path)


def test_source_outside_the_archive_is_not_read(tmp_path):
    qde = REVIEWED_QDE.replace(f'plainTextPath="internal://{G(30)}.txt"', 'plainTextPath="file:///etc/passwd"')
    path = _write_project(tmp_path / "ext.qdpx", qde, {})
    with pytest.raises(CorpusReadError, match=r"source '回答A' has no text inside the archive"):
        read_qdpx(path)


# -- command line ----------------------------------------------------------------


def test_cli_export_import_and_test(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    pd.DataFrame({"no": ["r1", "r2"], "answer": ["HWとの温度差がある", "特になし"], "group": ["a", "b"]}).to_csv(
        "answers.csv", index=False
    )
    for args in (
        ["export-codebook", "welfare_employment", "-o", "w.qdc"],
        ["import-codebook", "w.qdc", "-o", "w.yaml"],
        ["export-codebook", "w.yaml", "-o", "w.cod", "-q"],
        ["export-project", "answers.csv", "--codebook", "w.yaml", "--text-col", "answer", "--id-col", "no"]
        + ["-o", "coded.qdpx", "--no-cache"],
        ["test", "coded.qdpx", "--codebook", "w.yaml", "--format", "json"],
    ):
        res = runner.invoke(cli, args, catch_exceptions=False)
        assert res.exit_code == 0, (args, res.output)
    assert '"macro"' in res.output and '"coders": [\n    "kotoba_code"' in res.output
    _same_codebook(Codebook.load("welfare_employment"), Codebook.load("w.yaml"))


def test_cli_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "x.qdc").write_text("<CodeBook", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["import-codebook", str(tmp_path / "x.qdc"), "-o", str(tmp_path / "x.yaml")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: [E407]") and "x.qdc" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["export-codebook", "welfare_employment", "-o", str(tmp_path / "x.txt")])
    assert "[E104]" in capsys.readouterr().err


def test_code_colours_survive_qdc_and_yaml_round_trips(tmp_path):
    import defusedxml.ElementTree as ET

    from kotoba_code.io.codebook_yaml import write_yaml

    data = {
        "codes": [{"id": "gap", "label": "温度差", "rule": "温度差", "color": "#1f77b4"}, {"id": "hw", "rule": "HW"}]
    }
    cb = Codebook.from_dict(data)
    assert [c.color for c in cb.codes] == ["#1F77B4", ""]
    qdc = write_qdc(cb, tmp_path / "c.qdc")
    colours = {
        el.get("name"): el.get("color") for el in ET.fromstring(qdc.read_bytes()).iter("{urn:QDA-XML:codebook:1.0}Code")
    }
    assert colours["温度差"] == "#1F77B4" and colours["hw"].startswith("#") and colours["hw"] != "#1F77B4"
    assert [c.color for c in read_qdc(qdc).codes] == ["#1F77B4", ""]
    assert [c.color for c in Codebook.load(write_yaml(cb, tmp_path / "c.yaml")).codes] == ["#1F77B4", ""]
