"""Reports: the summary's counts and times, and the yearly export in CSV and XLSX for Vietnamese readers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.officials.models import PROVINCE, Role
from casework.tickets.models import TicketKind, TicketStatus
from casework.tickets.service import submit_ticket
from casework.tickets.topics import REVIEW_REQUEST
from casework.tickets.workflow import add_public_reply, approve_reply, change_status, return_reply
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World
from tests.casework.factories import ticket_data

UTC = dt.UTC
RECEIVED = dt.datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 3 March 2025, 9:00 in Cao Bằng
# 31 March 20:00 UTC is 1 April 03:00 in Cao Bằng: April's ticket in Vietnam.
LATE_MARCH = dt.datetime(2025, 3, 31, 20, 0, tzinfo=UTC)


async def arrange(sessions: async_sessionmaker[AsyncSession], world: World) -> list[str]:
    """Four 2025 tickets in commune A and one in B, with replies 2 h and 30 h after receipt, one answered late."""
    officer = world.official(Role.OFFICER)
    province = world.official(Role.OFFICER, PROVINCE)
    async with sessions() as session:
        fast = await submit_ticket(session, data=ticket_data(topic="ha-tang", text="Đường hỏng"), now=RECEIVED)
        slow = await submit_ticket(
            session, data=ticket_data(kind=TicketKind.COMPLAINT, topic="tro-cap", phone_consent=None), now=RECEIVED
        )
        april = await submit_ticket(session, data=ticket_data(topic="ha-tang", text="Cầu hỏng"), now=LATE_MARCH)
        open_late = await submit_ticket(
            session, data=ticket_data(topic="=HYPERLINK(1)", text="Chưa trả lời"), now=RECEIVED
        )
        await submit_ticket(session, data=ticket_data(commune_code=COMMUNE_B), now=RECEIVED)
        await add_public_reply(
            session, actor=officer, code=fast.code, text="Đã sửa", now=RECEIVED + dt.timedelta(hours=2)
        )
        await add_public_reply(
            session, actor=officer, code=slow.code, text="Đang xét", now=RECEIVED + dt.timedelta(hours=30)
        )
        # The feedback is answered on time (2 h); the complaint's acceptance deadline (10 days) is missed.
        for status, days in ((TicketStatus.ACCEPTED, 1), (TicketStatus.ANSWERED, 2)):
            await change_status(
                session, actor=officer, code=fast.code, status=status, now=RECEIVED + dt.timedelta(days=days)
            )
        await change_status(
            session, actor=province, code=slow.code, status=TicketStatus.ACCEPTED, now=RECEIVED + dt.timedelta(days=12)
        )
        await change_status(
            session, actor=province, code=slow.code, status=TicketStatus.ANSWERED, now=RECEIVED + dt.timedelta(days=70)
        )
        await session.commit()
    return [fast.code, slow.code, april.code, open_late.code]


async def test_the_summary_counts_and_times_what_the_official_may_see(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await arrange(sessions, world)
    params = {"received_from": "2025-01-01", "received_to": "2025-12-31"}
    response = await client.get(f"{API}/reports/summary", params=params, headers=world.headers(Role.VIEWER))
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["total"] == 4
    assert {t["key"]: t["count"] for t in summary["by_status"]} == {"answered": 2, "new": 2}
    assert {t["key"]: t["count"] for t in summary["by_kind"]} == {"feedback": 3, "complaint": 1}
    assert summary["by_topic"][0] == {"key": "ha-tang", "count": 2}
    assert summary["by_commune"] == [{"commune_code": COMMUNE_A, "name": "Phường Thục Phán", "count": 4}]
    assert summary["by_month"] == [{"key": "2025-03", "count": 3}, {"key": "2025-04", "count": 1}]
    assert summary["replied"] == 2
    assert summary["median_hours_to_first_reply"] == 16.0  # the median of 2 h and 30 h
    # Due: the two answered tickets and the two still open long past their deadline; one met it.
    assert summary["answered_on_time"] == {"due": 4, "on_time": 1, "share": 0.25}
    province = (
        await client.get(f"{API}/reports/summary", params=params, headers=world.headers(Role.VIEWER, PROVINCE))
    ).json()
    assert province["total"] == 5
    only_b = await client.get(
        f"{API}/reports/summary", params={**params, "commune": COMMUNE_B}, headers=world.headers(Role.VIEWER, PROVINCE)
    )
    assert only_b.json()["total"] == 1


async def test_the_csv_export_writes_vietnamese_dates_and_no_personal_data(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    fast, slow, april, _ = await arrange(sessions, world)
    response = await client.get(f"{API}/reports/export", params={"year": 2025}, headers=world.headers(Role.OFFICER))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="bao-cao-2025.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel reads the diacritics right
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row["Mã hồ sơ"]: row for row in rows}
    assert set(by_code) >= {fast, slow, april} and len(rows) == 4
    assert by_code[fast]["Ngày nhận"] == "03/03/2025"
    assert by_code[fast]["Ngày trả lời"] == "05/03/2025" and by_code[fast]["Đúng hạn"] == "Có"
    assert by_code[slow]["Loại"] == "Khiếu nại" and by_code[slow]["Đúng hạn"] == "Không"
    assert by_code[april]["Ngày nhận"] == "01/04/2025"
    assert by_code[fast]["Xã/phường"] == "Phường Thục Phán" and by_code[fast]["Trạng thái"] == "Đã trả lời"
    assert all(not row["Chủ đề"].startswith("=") for row in rows)  # no formula reaches a spreadsheet
    assert "Đường hỏng" not in response.text and "tg-" not in response.text


async def test_the_xlsx_export_has_a_summary_and_real_dates(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    fast, *_ = await arrange(sessions, world)
    response = await client.get(
        f"{API}/reports/export", params={"year": 2025, "format": "xlsx"}, headers=world.headers(Role.SUPERVISOR)
    )
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Danh sách hồ sơ"]
    overview = [row for row in book["Tổng hợp"].iter_rows(values_only=True)]
    assert overview[0][0] == "Báo cáo tiếp nhận, giải quyết phản ánh, kiến nghị, khiếu nại, tố cáo năm 2025"
    assert re.fullmatch(r"Lập ngày \d{1,2} tháng \d{1,2} năm \d{4}", overview[1][0])
    assert ("Tổng số hồ sơ", 4) in overview
    [share] = [row[1] for row in book["Tổng hợp"].iter_rows() if row[0].value == "Tỷ lệ đúng hạn"]
    assert (share.value, share.number_format) == (0.25, "0.0%")  # a percentage, not a bare fraction
    tickets = book["Danh sách hồ sơ"]
    [row] = [row for row in tickets.iter_rows(min_row=2) if row[0].value == fast]
    assert row[6].value.date() == dt.date(2025, 3, 3) and row[6].number_format == "dd/mm/yyyy"


async def test_an_empty_year_exports_only_the_headings(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(f"{API}/reports/export", params={"year": 2031}, headers=world.headers(Role.VIEWER))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Mã hồ sơ,Loại,Chủ đề,Mã xã/phường,Xã/phường,Kênh,Ngày nhận,Trạng thái,Hạn giải quyết,Ngày trả lời,Đúng hạn,Quá hạn"
    ]


async def test_export_parameters_are_checked(client: httpx.AsyncClient, world: World) -> None:
    for params, field in (({}, "year"), ({"year": 2026, "format": "pdf"}, "format"), ({"year": 1999}, "year")):
        response = await client.get(f"{API}/reports/export", params=params, headers=world.headers(Role.VIEWER))
        assert response.status_code == 422 and response.json()["field"] == field


async def test_a_reply_counts_as_given_only_once_it_reached_the_citizen(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    officer, supervisor = world.official(Role.OFFICER), world.official(Role.SUPERVISOR)
    units = frozenset({COMMUNE_A})  # replies there wait for the supervisor's approval
    async with sessions() as session:
        approved = await submit_ticket(session, data=ticket_data(), now=RECEIVED)
        returned = await submit_ticket(session, data=ticket_data(), now=RECEIVED)
        waiting = await submit_ticket(session, data=ticket_data(), now=RECEIVED)
        replies = {}
        for ticket in (approved, returned, waiting):
            change = await add_public_reply(
                session,
                actor=officer,
                code=ticket.code,
                text="Đã xem",
                approval_units=units,
                now=RECEIVED + dt.timedelta(hours=1),
            )
            replies[ticket.code] = change.event.id
        later = RECEIVED + dt.timedelta(hours=5)
        await approve_reply(session, actor=supervisor, code=approved.code, event_id=replies[approved.code], now=later)
        await return_reply(
            session, actor=supervisor, code=returned.code, event_id=replies[returned.code], comment="Sửa lại", now=later
        )
        await session.commit()
    params = {"received_from": "2025-01-01", "received_to": "2025-12-31"}
    summary = (await client.get(f"{API}/reports/summary", params=params, headers=world.headers(Role.VIEWER))).json()
    assert summary["replied"] == 1
    assert summary["median_hours_to_first_reply"] == 5.0  # when the supervisor let it go


async def test_the_channels_topics_are_named_in_the_export_and_others_kept_as_typed(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        for topic in (REVIEW_REQUEST, "ha-tang"):
            await submit_ticket(session, data=ticket_data(topic=topic), now=RECEIVED)
        await session.commit()
    response = await client.get(f"{API}/reports/export", params={"year": 2025}, headers=world.headers(Role.VIEWER))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["Chủ đề"] for row in rows} == {"Đề nghị rà soát hộ nghèo", "ha-tang"}


async def test_a_complaint_accepted_after_its_deadline_to_accept_is_never_on_time(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    officer = world.official(Role.OFFICER)
    async with sessions() as session:
        late = await submit_ticket(session, data=ticket_data(kind=TicketKind.COMPLAINT), now=RECEIVED)
        prompt = await submit_ticket(session, data=ticket_data(kind=TicketKind.COMPLAINT), now=RECEIVED)
        # 10 days to accept (thụ lý): one is accepted on day 12, the other on day 2; both answered a day later.
        for ticket, day in ((late, 12), (prompt, 2)):
            for status, after in ((TicketStatus.ACCEPTED, day), (TicketStatus.ANSWERED, day + 1)):
                at = RECEIVED + dt.timedelta(days=after)
                await change_status(session, actor=officer, code=ticket.code, status=status, now=at)
        await session.commit()
    headers = world.headers(Role.VIEWER)
    shown = {
        code: (await client.get(f"{API}/tickets/{code}", headers=headers)).json()["ticket"]["accepted_late"]
        for code in (late.code, prompt.code)
    }
    assert shown == {late.code: True, prompt.code: False}
    params = {"received_from": "2025-01-01", "received_to": "2025-12-31"}
    summary = (await client.get(f"{API}/reports/summary", params=params, headers=headers)).json()
    assert summary["answered_on_time"] == {"due": 2, "on_time": 1, "share": 0.5}
    export = await client.get(f"{API}/reports/export", params={"year": 2025}, headers=headers)
    rows = {row["Mã hồ sơ"]: row for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert (rows[late.code]["Đúng hạn"], rows[prompt.code]["Đúng hạn"]) == ("Không", "Có")
