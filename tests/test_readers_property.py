"""Property-based tests of the CSV/TSV reader: no row is ever lost in silence.

Tables with random answers (embedded quotes, separators, line breaks, ``NA``,
empty cells) are written the way spreadsheets write them — random quoting,
separator, line ending and encoding — and must read back exactly. Broken
copies of them (a quote dropped or added, a field added or removed) must read
back with every id, or name the affected rows in a warning, or stop with an
error naming the line. Seeded and bounded, so CI runs are reproducible.
"""

import csv
import io
import re
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kotoba_code import CorpusReadError, KotobaWarning, read_corpus

# Encodable in cp932 too; no half-width katakana, whose cp932 bytes are
# ambiguous with EUC-JP by design (the encoding guess is tested elsewhere).
ALPHABET = st.sampled_from(list('ハローワーク連携温度差就労支援、。「」・①ＨＷabcXYZ019 ,\t"\n') + ["\r\n", "NA", '""'])
ANSWER = st.lists(ALPHABET, max_size=12).map("".join)
PLAIN = st.lists(st.sampled_from(list("自治体ハローワークabc12")), max_size=4).map("".join)
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def tables(draw):
    n_cols = draw(st.integers(2, 4))
    header = ["id", "text", "group", "memo"][:n_cols]
    n_rows = draw(st.integers(1, 12))
    prefix = draw(st.sampled_from(["", "A", "M0"]))
    rows = [[f"{prefix}{i + 1}", draw(ANSWER)] + [draw(PLAIN) for _ in range(n_cols - 2)] for i in range(n_rows)]
    return {
        "header": header,
        "rows": rows,
        "sep": draw(st.sampled_from([",", "\t"])),
        "eol": draw(st.sampled_from(["\n", "\r\n"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"])),
    }


def _write(t) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=t["sep"], lineterminator=t["eol"], quoting=t["quoting"])
    w.writerow(t["header"])
    w.writerows(t["rows"])
    return buf.getvalue()


def _read(tmp_path, t, text: str):
    path = tmp_path / ("t.tsv" if t["sep"] == "\t" else "t.csv")
    path.write_bytes(text.encode(t["encoding"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = read_corpus(path, text_col="text", id_col="id")
    return corpus, [str(w.message) for w in caught if issubclass(w.category, KotobaWarning)]


@SETTINGS
@given(t=tables())
def test_well_formed_tables_read_back_exactly(tmp_path, t):
    corpus, warned = _read(tmp_path, t, _write(t))
    ids = [r[0] for r in t["rows"]]
    assert corpus.ids.tolist() == ids
    assert corpus.texts == [r[1] for r in t["rows"]]
    for k, col in enumerate(t["header"][2:], start=2):
        assert corpus.metadata[col].tolist() == [r[k] for r in t["rows"]]
    # A clean file warns only when an answer holds a line that looks like a
    # row of its own (an id-shaped word and a separator): the W105 heuristic.
    row_like = re.compile(rf"\n(?:{re.escape(t['sep'])}|[^\n]*?{re.escape(t['sep'])})")
    assert all("[W105]" in w for w in warned), warned
    assert not warned or any(row_like.search(r[1]) for r in t["rows"])


def _mutate(text: str, sep: str, kind: str, at: int) -> str:
    """Break one line after the header: drop or add a quote, add or drop a field."""
    lines = text.split("\n")
    i = 1 + at % max(1, len(lines) - 2)
    line = lines[i]
    if kind == "drop_quote" and '"' in line:
        k = line.rindex('"')
        line = line[:k] + line[k + 1 :]
    elif kind == "add_quote":
        k = line.find(sep)
        line = line[: k + 1] + '"' + line[k + 1 :] if k >= 0 else '"' + line
    elif kind == "add_field":
        line = line.replace(sep, sep + "余分" + sep, 1) if sep in line else line + sep + "余分"
    elif kind == "drop_field" and sep in line:
        line = line[: line.rindex(sep)]
    lines[i] = line
    return "\n".join(lines)


@SETTINGS
@given(t=tables(), kind=st.sampled_from(["drop_quote", "add_quote", "add_field", "drop_field"]), at=st.integers(0, 50))
def test_broken_tables_lose_no_row_in_silence(tmp_path, t, kind, at):
    text = _mutate(_write(t), t["sep"], kind, at)
    ids = [r[0] for r in t["rows"]]
    try:
        corpus, warned = _read(tmp_path, t, text)
    except CorpusReadError as exc:
        # Stopped: the message names where the problem starts.
        assert re.search(r"\b(row|line) \d+", str(exc)), exc
        return
    got = corpus.ids.tolist()
    if warned:
        # Recovered with a warning naming the affected rows.
        assert all(re.search(r"\brows? \d+", w) for w in warned), warned
    else:
        # Nothing reported: then nothing may be lost or invented.
        assert got == ids, (text, got)


@pytest.mark.parametrize("sep,suffix", [(",", ".csv"), ("\t", ".tsv")])
def test_property_tests_cover_a_real_unterminated_quote(tmp_path, sep, suffix):
    # The defect the properties guard against, spelt out: rows 3 and 4 must
    # not vanish into row 2's answer.
    path = tmp_path / f"t{suffix}"
    path.write_text(f'id{sep}text\n1{sep}"ハローワーク\n2{sep}連携\n3{sep}x\n', encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"row 2: a quoted field opens here"):
        read_corpus(path, text_col="text", id_col="id")
