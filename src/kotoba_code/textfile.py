"""Reading text files as researchers receive them: UTF-8 with or without a
BOM, cp932 (Shift_JIS) from Excel, EUC-JP, UTF-16 with or without a BOM.

A module of its own at the bottom of the layers, because corpus readers
(:mod:`kotoba_code.io`) and codebook loaders (:mod:`kotoba_code.codebook`)
both decode files the same way.
"""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

from kotoba_code.errors import CorpusReadError, Errors, KotobaWarning, Warnings

# Tried in this order when the bytes are not valid UTF-8; ties go to the first.
CANDIDATE_ENCODINGS = ("utf-8", "cp932", "euc_jp")
_ODD_RE = re.compile("[\ufffd\ue000-\uf8ff\x80-\x9f\uff61-\uff9f]")


def decode_bytes(raw: bytes, *, path: str | Path = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode file contents, detecting UTF-8 (with or without BOM), cp932 or EUC-JP.

    Returns ``(text, encoding)``. With an explicit ``encoding`` only that one
    is tried. When nothing decodes cleanly, the closest encoding is used with
    U+FFFD for the bad bytes and a warning names the affected lines, so one
    broken line never loses the rest of the file.

    Examples
    --------
    >>> decode_bytes("温度差".encode("cp932"))
    ('温度差', 'cp932')
    >>> decode_bytes(codecs.BOM_UTF8 + "温度差".encode())
    ('温度差', 'utf-8-sig')
    """
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError as exc:
            raise CorpusReadError(Errors.E101.format(path=path, reason=f"unknown encoding {encoding!r}")) from exc
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise CorpusReadError(
                Errors.E103.format(path=path, tried=f"{encoding} (line {line}: {exc.reason})")
            ) from exc
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_lenient(raw[3:], "utf-8", path, "utf-8-sig")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_lenient(raw, "utf-16", path, "utf-16")
    utf16 = utf16_without_bom(raw)
    if utf16 is not None:
        return raw.decode(utf16), utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy encodings decode almost any bytes without error, so judge each
    # reading by how odd it looks: replacement characters, private-use and C1
    # characters, and half-width katakana, which a wrong guess produces in bulk.
    best = min(CANDIDATE_ENCODINGS, key=lambda e: len(_ODD_RE.findall(raw.decode(e, errors="replace"))))
    return _decode_lenient(raw, best, path, best)


def utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``raw`` is UTF-16 text without a BOM, else None.

    Tables always hold some ASCII (digits, commas, line breaks), whose UTF-16
    code units have a NUL high byte, always on the same side of each pair:
    nearly all NULs at odd offsets means little-endian, at even offsets
    big-endian. The bytes must then also decode strictly, with line breaks.

    Examples
    --------
    >>> utf16_without_bom("id,text\\n1,連携\\n".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_without_bom(b"id,text\\n1,\\x00\\n2,x\\n") is None
    True
    """
    if len(raw) < 4 or len(raw) % 2 or b"\x00" not in raw:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    # At least one code unit in 20 is ASCII, and the NULs sit on one side.
    if max(even, odd) < max(4, len(raw) // 40) or min(even, odd) > max(even, odd) // 20:
        return None
    enc = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError:
        return None
    # A table has line breaks, which a wrong reading of other bytes lacks.
    return enc if "\n" in text and "\x00" not in text else None


def _decode_lenient(raw: bytes, enc: str, path: str | Path, label: str) -> tuple[str, str]:
    text = raw.decode(enc, errors="replace")
    if "\ufffd" in text:
        bad = [i for i, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line]
        shown = ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")
        warnings.warn(
            Warnings.W101.format(path=path, n=len(bad), encoding=enc, lines=shown), KotobaWarning, stacklevel=3
        )
    return text, label


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; an unreadable file is a one-line error naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=exc.strerror or exc)) from exc
