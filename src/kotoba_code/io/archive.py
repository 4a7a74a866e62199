"""Reading zip archives and XML from elsewhere without trusting them.

A ``.qdpx`` project or an ``.xlsx`` workbook someone sent is a zip file, and
a zip file can hold members named ``../../.bashrc`` or ``/etc/passwd``, a few
kilobytes that inflate to gigabytes (a zip bomb), or millions of members.
:func:`check_zip` refuses such archives before anything is extracted or
parsed, and :func:`parse_xml` refuses XML with a DTD or entity declarations
(external entities, "billion laughs").
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from kotoba_code.errors import CorpusReadError, Errors

MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 2 * 1024**3
# An XML document (a .qdc, the project.qde of a .qdpx) becomes a tree several
# times its size in memory: 256 MiB holds a project of hundreds of thousands
# of coded answers, and its tree still fits in a laptop's memory.
MAX_XML_BYTES = 256 * 1024**2
_CHUNK = 1 << 20


def check_zip(
    path: str | Path, *, max_members: int = MAX_MEMBERS, max_total_bytes: int = MAX_TOTAL_BYTES
) -> list[zipfile.ZipInfo]:
    """Check that a zip archive is safe to open; return its members.

    Refused, with a :class:`~kotoba_code.errors.CorpusReadError` naming the
    file and the member: a member with an absolute path or a ``..`` part,
    more than ``max_members`` members, or members that uncompress to more
    than ``max_total_bytes`` together. The sizes the archive declares are
    checked first; then every member is inflated (and thrown away) with the
    same cap, since declared sizes can lie.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "evil.zip"
    >>> with zipfile.ZipFile(p, "w") as zf:
    ...     zf.writestr("../evil.txt", "x")
    >>> check_zip(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kotoba_code.errors.CorpusReadError: [E402] ...evil.zip: member '../evil.txt' has an unsafe path ...
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            _check_names_and_sizes(path, members, max_members, max_total_bytes)
            _check_inflated_sizes(path, zf, members, max_total_bytes)
    except zipfile.BadZipFile as exc:
        raise CorpusReadError(Errors.E401.format(path=path, reason=exc)) from exc
    except OSError as exc:
        raise CorpusReadError(Errors.E101.format(path=path, reason=exc.strerror or exc)) from exc
    return members


def _check_names_and_sizes(path: Path, members: list[zipfile.ZipInfo], max_members: int, max_total: int) -> None:
    if len(members) > max_members:
        raise CorpusReadError(Errors.E403.format(path=path, n=len(members), limit=max_members))
    total = 0
    for info in members:
        if is_unsafe_member_name(info.filename):
            raise CorpusReadError(Errors.E402.format(path=path, member=info.filename))
        total += info.file_size
        if total > max_total:
            raise CorpusReadError(Errors.E404.format(path=path, member=info.filename, limit=max_total))


def _check_inflated_sizes(path: Path, zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], max_total: int) -> None:
    total = 0
    for info in members:
        try:
            with zf.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > max_total:
                        raise CorpusReadError(Errors.E404.format(path=path, member=info.filename, limit=max_total))
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
            # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
            raise CorpusReadError(Errors.E405.format(path=path, member=info.filename, reason=exc)) from exc


def is_unsafe_member_name(name: str) -> bool:
    """Whether a zip member name is absolute or climbs out with ``..``.

    Examples
    --------
    >>> [is_unsafe_member_name(n) for n in ("sources/a.txt", "../a.txt", "/a.txt", "C:\\\\a.txt", "a/../../b")]
    [False, True, True, True, True]
    """
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return True
    return ".." in PurePosixPath(unified).parts


def parse_xml(data: bytes, *, path: str | Path, member: str) -> Element:
    """Parse XML from an untrusted file: no DTD, no entities, no external references.

    Examples
    --------
    >>> parse_xml(b"<a><b/></a>", path="p.qdpx", member="project.qde")[0].tag
    'b'
    >>> bomb = b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    >>> parse_xml(bomb, path="p.qdpx", member="project.qde")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kotoba_code.errors.CorpusReadError: [E406] p.qdpx, project.qde: XML with a DTD or entity declarations ...
    """
    try:
        return safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CorpusReadError(Errors.E406.format(path=path, member=member, reason=exc)) from exc
    except ParseError as exc:
        raise CorpusReadError(Errors.E407.format(path=path, member=member, reason=exc)) from exc


def parse_xml_stream(
    stream: BinaryIO, *, path: str | Path, member: str, max_bytes: int = MAX_XML_BYTES, declared: int = 0
) -> Element:
    """:func:`parse_xml` reading ``stream`` in chunks: the document is never
    held as one byte string, and reading stops (E404) as soon as it passes
    ``max_bytes`` (or at once when the ``declared`` size does).

    Examples
    --------
    >>> import io
    >>> parse_xml_stream(io.BytesIO(b"<a><b/></a>"), path="p.qdc", member="p.qdc")[0].tag
    'b'
    >>> parse_xml_stream(io.BytesIO(b"<a>" + b" " * 100 + b"</a>"), path="p.qdc", member="p.qdc", max_bytes=50)
    Traceback (most recent call last):
    ...
    kotoba_code.errors.CorpusReadError: [E404] p.qdc: member 'p.qdc' takes the uncompressed size beyond the limit of 50 bytes (a zip bomb?); the archive is refused.
    """  # noqa: E501
    if declared > max_bytes:
        raise CorpusReadError(Errors.E404.format(path=path, member=member, limit=max_bytes))
    parser = safe_et.DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    total = 0
    try:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise CorpusReadError(Errors.E404.format(path=path, member=member, limit=max_bytes))
            parser.feed(chunk)
        return parser.close()
    except DefusedXmlException as exc:
        raise CorpusReadError(Errors.E406.format(path=path, member=member, reason=exc)) from exc
    except ParseError as exc:
        raise CorpusReadError(Errors.E407.format(path=path, member=member, reason=exc)) from exc


__all__ = [
    "MAX_MEMBERS",
    "MAX_TOTAL_BYTES",
    "MAX_XML_BYTES",
    "check_zip",
    "is_unsafe_member_name",
    "parse_xml",
    "parse_xml_stream",
]
