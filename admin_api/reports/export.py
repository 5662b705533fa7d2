"""Render the yearly report for Vietnamese readers: Vietnamese headings and labels, dd/MM/yyyy dates (Babel)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from babel.dates import format_date
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

from admin_api.reports.schemas import ExportRow, ReportSummary
from casework.channels import Channel
from casework.deadlines.service import legal_day
from casework.tickets.models import TicketKind, TicketStatus
from casework.tickets.topics import TOPIC_LABELS
from knowledge.gazetteer import unit_by_code

LOCALE = "vi"
DAY_FORMAT = "dd/MM/yyyy"  # how Vietnamese administrative documents write dates
XLSX_DAY_FORMAT = "dd/mm/yyyy"

KIND_LABELS = {
    TicketKind.QUESTION: "Câu hỏi",
    TicketKind.FEEDBACK: "Phản ánh, kiến nghị",
    TicketKind.COMPLAINT: "Khiếu nại",
    TicketKind.DENUNCIATION: "Tố cáo",
}
STATUS_LABELS = {
    TicketStatus.NEW: "Mới nhận",
    TicketStatus.ACCEPTED: "Đã thụ lý",
    TicketStatus.IN_PROGRESS: "Đang giải quyết",
    TicketStatus.ANSWERED: "Đã trả lời",
    TicketStatus.CLOSED: "Đã kết thúc",
    TicketStatus.REJECTED: "Không thụ lý",
    TicketStatus.DUPLICATE: "Trùng lặp",
    TicketStatus.TRANSFERRED: "Đã chuyển đơn vị khác",
}
CHANNEL_LABELS = {
    Channel.TELEGRAM: "Telegram",
    Channel.ZALO: "Zalo",
    Channel.ZALO_OA: "Zalo OA",
    Channel.WEB: "Trang web",
    Channel.TERMINAL: "Máy tính",
    Channel.PHONE: "Điện thoại",
    Channel.PAPER: "Văn bản",
    Channel.IN_PERSON: "Trực tiếp",
}
HEADINGS = (
    "Mã hồ sơ",
    "Loại",
    "Chủ đề",
    "Mã xã/phường",
    "Xã/phường",
    "Kênh",
    "Ngày nhận",
    "Trạng thái",
    "Hạn giải quyết",
    "Ngày trả lời",
    "Đúng hạn",
    "Quá hạn",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: str | None) -> str:
    # A spreadsheet runs a cell that starts like a formula; text never should (CSV injection).
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def vietnamese_day(day: dt.date | None) -> str:
    """A date as Vietnamese readers write it (05/03/2026); empty for none."""
    return format_date(day, format=DAY_FORMAT, locale=LOCALE) if day else ""


def _on_time(row: ExportRow) -> str:
    if row.resolved_at is None:
        return ""
    return "Có" if legal_day(row.resolved_at) <= row.deadline and not row.accepted_late else "Không"


def _place(code: str | None) -> str:
    unit = unit_by_code(code) if code else None
    return unit.full_name if unit else ("Tỉnh" if code is None else code)


def _values(row: ExportRow) -> list[str]:
    return [
        row.code,
        KIND_LABELS.get(TicketKind(row.kind), row.kind),
        TOPIC_LABELS.get(row.topic or "") or _cell_text(row.topic),
        row.commune_code or "",
        _place(row.commune_code),
        CHANNEL_LABELS.get(Channel(row.channel), row.channel),
        vietnamese_day(legal_day(row.received_at)),
        STATUS_LABELS.get(TicketStatus(row.status), row.status),
        vietnamese_day(row.deadline),
        vietnamese_day(legal_day(row.resolved_at) if row.resolved_at else None),
        _on_time(row),
        "Có" if row.overdue else "",
    ]


def render_csv(rows: Sequence[ExportRow]) -> bytes:
    """The tickets as CSV, UTF-8 with a byte-order mark so that Excel shows the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows(_values(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _day_cell(sheet: Any, day: dt.date | None) -> object:
    if day is None:
        return None
    cell = WriteOnlyCell(sheet, value=day)
    cell.number_format = XLSX_DAY_FORMAT
    return cell


def render_xlsx(rows: Sequence[ExportRow], summary: ReportSummary, *, year: int, made_on: dt.date) -> bytes:
    """A workbook: a summary sheet, then the tickets with real date cells shown as dd/mm/yyyy."""
    book = Workbook(write_only=True)
    overview = book.create_sheet("Tổng hợp")
    overview.append([f"Báo cáo tiếp nhận, giải quyết phản ánh, kiến nghị, khiếu nại, tố cáo năm {year}"])
    # As a Vietnamese document dates itself ("ngày 26 tháng 11 năm 2026"); CLDR's long form has "tháng 11, 2026".
    overview.append([f"Lập ngày {made_on.day} tháng {made_on.month} năm {made_on.year}"])
    overview.append([])
    overview.append(["Tổng số hồ sơ", summary.total])
    overview.append(["Số hồ sơ đã được trả lời", summary.replied])
    overview.append(["Thời gian trả lời đầu tiên (trung vị, giờ)", summary.median_hours_to_first_reply])
    overview.append(["Hồ sơ đến hạn", summary.answered_on_time.due])
    overview.append(["Trả lời đúng hạn", summary.answered_on_time.on_time])
    share = WriteOnlyCell(overview, value=summary.answered_on_time.share)
    share.number_format = "0.0%"  # 0.25 reads as 25,0 % in a Vietnamese Excel
    overview.append(["Tỷ lệ đúng hạn", share])
    overview.append([])
    overview.append(["Theo loại", "Số hồ sơ"])
    for tally in summary.by_kind:
        overview.append([KIND_LABELS.get(TicketKind(tally.key), tally.key) if tally.key else "", tally.count])
    overview.append([])
    overview.append(["Theo trạng thái", "Số hồ sơ"])
    for tally in summary.by_status:
        overview.append([STATUS_LABELS.get(TicketStatus(tally.key), tally.key) if tally.key else "", tally.count])
    overview.append([])
    overview.append(["Theo xã/phường", "Số hồ sơ"])
    for commune in summary.by_commune:
        overview.append([commune.name or "Tỉnh", commune.count])

    tickets = book.create_sheet("Danh sách hồ sơ")
    tickets.append(list(HEADINGS))
    for row in rows:
        values: list[object] = list(_values(row))
        # Real dates sort and filter in a spreadsheet; the number format shows them the Vietnamese way.
        days = {
            6: legal_day(row.received_at),
            8: row.deadline,
            9: legal_day(row.resolved_at) if row.resolved_at else None,
        }
        for index, day in days.items():
            values[index] = _day_cell(tickets, day)
        tickets.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
