"""Untrusted archives: crafted .qdpx and .xlsx files are refused with clear errors."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kotoba_code import CorpusReadError, read_table
from kotoba_code.io.archive import check_zip
from kotoba_code.io.refi_qda import read_qdc, read_qdpx

QDE = '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'


def _zip(path: Path, members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _with_declared_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size the central directory declares for ``member``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, size)  # offset 24: uncompressed size
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("member", ["../evil.txt", "/abs.txt", "sources/../../evil.txt", "C:\\evil.txt"])
def test_zip_slip_is_refused(tmp_path, member):
    path = _zip(tmp_path / "slip.qdpx", {"project.qde": QDE, member: "owned"})
    with pytest.raises(CorpusReadError, match=rf"E402.*slip.qdpx: member {re.escape(repr(member))}.*unsafe path"):
        read_qdpx(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused(tmp_path):
    # 64 MiB of zeros deflate to about 64 KiB.
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": QDE, "sources/big.txt": b"\0" * (64 << 20)})
    assert path.stat().st_size < 1 << 20
    with pytest.raises(CorpusReadError, match=r"E404.*bomb.qdpx: member 'sources/big.txt'.*limit of 16,777,216 bytes"):
        read_qdpx(path, max_total_bytes=16 << 20)


def test_declared_size_over_the_cap_is_refused_without_inflating(tmp_path):
    path = _zip(tmp_path / "huge.qdpx", {"project.qde": QDE, "sources/a.txt": "小さい"})
    _with_declared_size(path, "sources/a.txt", 0xFFFF_FFF0)
    with pytest.raises(CorpusReadError, match=r"E404.*huge.qdpx: member 'sources/a.txt'"):
        read_qdpx(path)


def test_declared_size_that_lies_low_is_refused(tmp_path):
    # The member inflates to more than it declares; the capped read catches it.
    path = _zip(tmp_path / "liar.qdpx", {"project.qde": QDE, "sources/a.txt": b"x" * 100_000})
    _with_declared_size(path, "sources/a.txt", 10)
    with pytest.raises(CorpusReadError, match=r"E405.*liar.qdpx, member 'sources/a.txt': cannot be read"):
        read_qdpx(path)


def test_too_many_members_are_refused(tmp_path):
    path = _zip(tmp_path / "many.qdpx", {"project.qde": QDE, **{f"sources/{k}.txt": "x" for k in range(50)}})
    with pytest.raises(CorpusReadError, match=r"E403.*many.qdpx: 51 members, more than the limit of 10"):
        read_qdpx(path, max_members=10)
    assert len(check_zip(path)) == 51


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.qdpx"
    path.write_bytes(b"<Project/>")
    with pytest.raises(CorpusReadError, match=r"E401.*fake.qdpx: not a zip archive"):
        read_qdpx(path)


EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>
"""


@pytest.mark.parametrize("xml", [EXTERNAL_ENTITY, BILLION_LAUGHS], ids=["external-entity", "billion-laughs"])
def test_xml_with_entities_is_refused(tmp_path, xml):
    path = _zip(tmp_path / "xxe.qdpx", {"project.qde": xml})
    with pytest.raises(CorpusReadError, match=r"E406.*xxe.qdpx, project.qde: XML with a DTD or entity"):
        read_qdpx(path)
    qdc = tmp_path / "xxe.qdc"
    qdc.write_text(xml.replace("Project", "CodeBook"), encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"E406.*xxe.qdc"):
        read_qdc(qdc)


def test_xlsx_is_checked_before_openpyxl_opens_it(tmp_path):
    good = tmp_path / "answers.xlsx"
    pd.DataFrame({"id": ["1"], "text": ["温度差がある"]}).to_excel(good, index=False)
    assert read_table(good)["text"].tolist() == ["温度差がある"]
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    slip = _zip(tmp_path / "slip.xlsx", {**members, "../evil.txt": "owned"})
    with pytest.raises(CorpusReadError, match=r"E402.*slip.xlsx: member '../evil.txt'"):
        read_table(slip)
    bomb = _zip(tmp_path / "bomb.xlsx", members)
    _with_declared_size(bomb, "xl/workbook.xml", 0xFFFF_FFF0)
    with pytest.raises(CorpusReadError, match=r"E404.*bomb.xlsx: member 'xl/workbook.xml'"):
        read_table(bomb)
