"""Excel export of any list: one helper so every list exports the same way (openpyxl, write-only mode), and one
row generator that streams a queryset into it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ROWS = 1_000_000  # Excel's sheet limit is 1,048,576 rows
EXPORT_CHUNK_SIZE = 2000

M = TypeVar("M", bound=Model)


def queryset_rows(queryset: QuerySet[M], row: Callable[[M], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """`row(obj)` for every object of the queryset, read in chunks of EXPORT_CHUNK_SIZE, so a county's hundred
    thousand rows never sit in memory as model objects at once. Lazy: nothing is read until the sheet is written."""
    for obj in queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield row(obj)


def build_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Write (title, headers, rows) sheets to an xlsx file and return its bytes. Rows may be a generator."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for index, row in enumerate(rows):
            if index >= MAX_EXPORT_ROWS:
                break
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    basename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "数据"
) -> HttpResponse:
    """An attachment response named `<basename>-<date>.xlsx` (UTF-8 filename per RFC 6266)."""
    content = build_workbook([(sheet, headers, rows)])
    return xlsx_attachment(content, f"{basename}-{timezone.localdate():%Y%m%d}.xlsx")


def xlsx_attachment(content: bytes, filename: str) -> HttpResponse:
    """A built workbook as a download named `filename` (UTF-8 filename per RFC 6266)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
