"""Refuse hostile or broken files before anything reads them in earnest.

Checks: the size of each upload (``REM_MAX_IMPORT_BYTES``), that a zip is a zip,
zip bombs (total unpacked size, number of entries and compression ratio, checked
from the directory BEFORE anything is unpacked, and reads capped as well), entry
names that climb out of the archive (``../``, absolute paths, drive letters),
XML with entities or a DTD (parsed only through defusedxml), and text that is not
UTF-8 (or UTF-16 with a byte-order mark).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from flask_babel import gettext as _

from rem.interchange.imports.base import ImportRefused

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_RATIO = 200  # unpacked / packed, for entries above RATIO_FLOOR bytes
RATIO_FLOOR = 64 * 1024
UNZIP_FACTOR = 10  # all entries together may unpack to 10 x the upload limit
MAX_ROWS = 50_000


def check_size(data: bytes, limit: int, name: str) -> None:
    """Refuse a file above the configured limit."""
    if len(data) > limit:
        raise ImportRefused(_("“%(name)s” is te groot: hoogstens %(mb).1f MB.", name=name,
                              mb=limit / 1024 / 1024))
    if not data:
        raise ImportRefused(_("“%(name)s” is leeg.", name=name))


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in PurePosixPath(name).parts


def open_zip(data: bytes, name: str, limit: int) -> zipfile.ZipFile:
    """Open a zip after checking its directory; refuse bombs and unsafe names."""
    stream = io.BytesIO(data)
    if not zipfile.is_zipfile(stream):
        raise ImportRefused(_("“%(name)s” is geen zip-bestand. Een XMind-kaart, een "
                              "Excel-bestand en een export uit rem zijn dat wel.", name=name))
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefused(_("“%(name)s” is een beschadigd zip-bestand.", name=name)) from exc
    if len(entries) > MAX_ENTRIES:
        raise ImportRefused(_("“%(name)s” bevat te veel bestanden.", name=name))
    total = 0
    for entry in entries:
        if _unsafe_name(entry.filename):
            raise ImportRefused(_("“%(name)s” bevat een bestand met een onveilige naam "
                                  "(“%(entry)s”). Het is niet ingelezen.", name=name,
                                  entry=entry.filename[:80]))
        total += entry.file_size
        if entry.file_size > RATIO_FLOOR and \
                entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise ImportRefused(_("“%(name)s” lijkt een zip-bom: een bestand erin pakt "
                                  "verdacht sterk uit. Het is niet ingelezen.", name=name))
    if total > limit * UNZIP_FACTOR:
        raise ImportRefused(_("“%(name)s” pakt uit tot meer dan %(mb)d MB. Het is niet "
                              "ingelezen.", name=name, mb=limit * UNZIP_FACTOR // 1024 // 1024))
    return archive


def read_entry(archive: zipfile.ZipFile, entry: str, limit: int) -> bytes:
    """Read one entry, never more than ``limit`` bytes whatever its header claims."""
    try:
        with archive.open(entry) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportRefused(_("“%(entry)s” in het zip-bestand is beschadigd.",
                              entry=entry)) from exc
    if len(data) > limit:
        raise ImportRefused(_("“%(entry)s” in het zip-bestand is te groot.", entry=entry))
    return data


def decode_text(data: bytes, name: str) -> str:
    """Return UTF-8 (or UTF-16 with BOM) text; refuse other encodings with advice, and
    text with a NUL character (PostgreSQL cannot store one)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_(
            "“%(name)s” is niet opgeslagen als UTF-8. Kies in Excel “Opslaan als” en dan "
            "“CSV UTF-8 (door komma's gescheiden)”, of in LibreOffice tekenset “Unicode "
            "(UTF-8)”.", name=name)) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportRefused(_("“%(name)s” bevat op regel %(line)d een NUL-teken (\\0). Dat "
                              "kan niet worden opgeslagen; haal het weg en probeer het "
                              "opnieuw.", name=name, line=line))
    return text


def refuse_nul(value, name: str, path: str = "") -> None:
    """Refuse a parsed document (JSON) with a NUL character in any text, naming where."""
    stack = [(path, value)]
    while stack:
        where, current = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                raise ImportRefused(_("“%(name)s” bevat een NUL-teken (\\0) bij %(where)s. Dat "
                                      "kan niet worden opgeslagen; haal het weg en probeer het "
                                      "opnieuw.", name=name, where=where or "/"))
        elif isinstance(current, dict):
            stack.extend((f"{where}/{key}", item) for key, item in current.items())
            stack.extend((f"{where}/(sleutel)", key) for key in current
                         if isinstance(key, str))
        elif isinstance(current, list):
            stack.extend((f"{where}/{n}", item) for n, item in enumerate(current))


def parse_xml(data: bytes, name: str):
    """Parse XML with defusedxml: entities, DTDs and external references are refused."""
    from xml.etree.ElementTree import ParseError  # noqa: S405 - only the exception type

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportRefused(_("“%(name)s” bevat XML-entiteiten of een DTD. Dat wordt om "
                              "veiligheidsredenen niet ingelezen.", name=name)) from exc
    except ParseError as exc:
        raise ImportRefused(_("“%(name)s” is geen geldige XML.", name=name)) from exc


class CsvTable:
    """A CSV with a header, read row by row (a large file is never held as rows in memory).

    The separator may be a comma, a semicolon or a tab. Rows come with their line number
    in the file (quoted cells can span lines); empty rows are skipped. Lines with more
    cells than the header has columns are noted in ``extra_cells`` while reading.
    """

    def __init__(self, text: str, name: str):
        self.name = name
        self.text = text
        first_line = text.split("\n", 1)[0]
        self.delimiter = max([",", ";", "\t"], key=first_line.count)
        self.extra_cells: list[int] = []
        try:
            self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
            self.header = [h.strip() for h in next(self._reader, [])]
        except csv.Error as exc:
            raise self._unreadable(exc) from exc
        if not [h for h in self.header if h]:
            raise ImportRefused(_("“%(name)s” heeft geen kopregel met kolomnamen.", name=name))

    def _unreadable(self, exc: Exception) -> ImportRefused:
        return ImportRefused(_("“%(name)s” is geen leesbaar CSV-bestand (%(error)s).",
                               name=self.name, error=str(exc)[:100]))

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, {column: cell}) for each row that is not empty."""
        header = self.header
        width = len(header)
        count = 0
        try:
            while True:
                line = self._reader.line_num + 1
                row = next(self._reader, None)
                if row is None:
                    return
                if not any(cell.strip() for cell in row):
                    continue
                count += 1
                if count > MAX_ROWS:
                    raise ImportRefused(_("“%(name)s” heeft meer dan %(n)d regels.",
                                          name=self.name, n=MAX_ROWS))
                if len(row) > width and any(cell.strip() for cell in row[width:]):
                    self.extra_cells.append(line)
                yield line, {header[i]: row[i].strip() for i in range(min(width, len(row)))
                             if header[i]}
        except csv.Error as exc:
            raise self._unreadable(exc) from exc


def read_csv(text: str, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """Read a whole CSV with a header into rows (small files; see :class:`CsvTable`)."""
    table = CsvTable(text, name)
    return table.header, [row for _line, row in table.rows()]
