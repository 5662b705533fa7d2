"""The role × route matrix, generated from the published OpenAPI document (OWASP API1, API5, API9).

Every operation is collected from the document itself, so a new route is tested the moment it
exists: without a token it must answer 401; each role gets 403 exactly when the permissions
table denies it the operation's ``x-permission`` (or, for a province-wide action, the official
works in a commune); officials of commune A get 404 for commune
B's tickets and reports and for confidential tickets; and every route declares a permission.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from admin_api.deps import AUTHENTICATED, PERMISSION_KEY
from admin_api.router import declared_permission
from casework.officials.models import PROVINCE, Role
from casework.officials.permissions import PERMISSIONS, Action, can
from caunoi.app import create_app
from tests.admin_api.conftest import API, COMMUNE_A, COMMUNE_B, World, settings_for
from tests.admin_api.test_ticket_attachments import attach_file

PUBLIC_OPERATIONS = {("POST", f"{API}/auth/token"), ("GET", f"{API}/healthz"), ("GET", f"{API}/readyz")}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    permission: str
    query: frozenset[str]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _published() -> tuple[dict[str, Any], FastAPI]:
    app = create_app(settings_for("sqlite+aiosqlite:///unused.db", Path("unused")))
    return app.openapi(), app


SPEC, SPEC_APP = _published()
OPERATIONS = [
    Operation(
        method=method.upper(),
        path=path,
        permission=operation.get(PERMISSION_KEY, ""),
        query=frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query"),
    )
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
]
PROTECTED = [op for op in OPERATIONS if (op.method, op.path) not in PUBLIC_OPERATIONS]
ON_A_TICKET = [op for op in OPERATIONS if "{code}" in op.path]
FILTERED_BY_COMMUNE = [op for op in OPERATIONS if "commune" in op.query]

# A valid request for each operation, so that a refusal can only come from who asks, never from what.
Body = Callable[[World, int], dict[str, Any]]
VALID_BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/tickets"): lambda w, n: {
        "kind": "feedback",
        "channel": "phone",
        "commune_code": COMMUNE_A,
        "text": "Đèn đường hỏng.",
    },
    ("POST", "/tickets/{code}/assign"): lambda w, n: {"assignee_id": None},
    ("POST", "/tickets/{code}/status"): lambda w, n: {"status": "accepted"},
    ("POST", "/tickets/{code}/replies"): lambda w, n: {"text": "Xã đã tiếp nhận."},
    ("POST", "/tickets/{code}/notes"): lambda w, n: {"text": "Gọi lại trưởng thôn."},
    ("POST", "/tickets/{code}/merge"): lambda w, n: {"into": w.other.code},
    ("POST", "/tickets/{code}/extend"): lambda w, n: {"reason": "Cần xác minh thêm."},
    ("POST", "/tickets/{code}/replies/{event_id}/return"): lambda w, n: {"comment": "Ghi rõ ngày sửa."},
    ("PUT", "/calendar/overrides/{day}"): lambda w, n: {"is_working_day": False, "note": "Nghỉ bù"},
    ("POST", "/officials"): lambda w, n: {
        "username": f"moi-{n}",
        "display_name": "Cán bộ mới",
        "password": "mật-khẩu-đủ-dài",
        "role": "viewer",
        "unit": COMMUNE_A,
    },
    ("PUT", "/officials/{official_id}/password"): lambda w, n: {"password": "mật-khẩu-mới-đủ-dài"},
    ("PUT", "/officials/{official_id}/role"): lambda w, n: {"role": "viewer", "unit": COMMUNE_A},
}
VALID_QUERIES: dict[tuple[str, str], dict[str, str]] = {("GET", "/reports/export"): {"year": "2026"}}
NO_BODY = {
    ("POST", "/auth/logout"),
    ("POST", "/officials/{official_id}/disable"),
    ("POST", "/officials/{official_id}/enable"),
    ("POST", "/tickets/{code}/replies/{event_id}/approve"),
}
UNKNOWN_EVENT = 2_147_483_647  # an event id no ticket has: allowed callers get 404, never 401/403
UNKNOWN_ATTACHMENT = 2_147_483_647  # likewise for an attachment


def request_for(op: Operation, world: World, *, code: str, n: int = 0) -> dict[str, Any]:
    """Arguments for ``client.request`` making a valid call of ``op`` on ticket ``code``."""
    short = op.path.removeprefix(API)
    assert world.target is not None
    url = op.path.format(
        code=code,
        day="2026-12-31",
        official_id=world.target.id,
        event_id=UNKNOWN_EVENT,
        attachment_id=UNKNOWN_ATTACHMENT,
    )
    kwargs: dict[str, Any] = {"method": op.method, "url": url, "params": VALID_QUERIES.get((op.method, short), {})}
    if (op.method, short) == ("POST", "/auth/token"):
        kwargs["data"] = {"username": "nobody", "password": "nothing"}
    elif op.method in {"POST", "PUT"} and (op.method, short) not in NO_BODY:
        body = VALID_BODIES.get((op.method, short))
        if body is None:
            pytest.fail(f"{op}: add a valid body to VALID_BODIES")
        kwargs["json"] = body(world, n)
    return kwargs


def test_every_route_declares_a_permission_and_protected_ones_need_a_token() -> None:
    allowed = {action.value for action in Action} | {AUTHENTICATED}
    for op in OPERATIONS:
        if (op.method, op.path) in PUBLIC_OPERATIONS:
            assert op.permission == "public", op
            continue
        assert op.permission in allowed, f"{op} declares {op.permission!r}"
        assert SPEC["paths"][op.path][op.method.lower()].get("security"), f"{op} does not require a token"


def test_a_route_without_a_declaration_is_refused() -> None:
    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> None: ...

    [route] = [r for r in router.routes if isinstance(r, APIRoute)]
    assert declared_permission(route) is None


CITIZEN_PATHS = {"/", "/chat/messages", "/chat/files"}  # the web chat (bot.channels.web): not the officials' API


def test_the_application_serves_exactly_the_published_operations() -> None:
    served: set[tuple[str, str]] = set()
    for context in iter_route_contexts(SPEC_APP.routes):
        if context.path in CITIZEN_PATHS:
            continue
        if isinstance(context.original_route, APIRoute):
            served.update((method, context.path) for method in context.methods or ())
        else:  # only the documentation itself is served outside the API's routes
            assert context.path in {f"{API}/openapi.json", f"{API}/docs", f"{API}/docs/oauth2-redirect"}
    assert served == {(op.method, op.path) for op in OPERATIONS}


@pytest.mark.parametrize("op", PROTECTED, ids=str)
async def test_every_protected_route_is_401_without_a_token(
    client: httpx.AsyncClient, world: World, op: Operation
) -> None:
    response = await client.request(**request_for(op, world, code=world.a.code))
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize("op", PROTECTED, ids=str)
async def test_each_role_is_allowed_exactly_what_the_permissions_table_says(
    client: httpx.AsyncClient, world: World, op: Operation
) -> None:
    for n, unit in enumerate((COMMUNE_A, PROVINCE)):
        for role in Role:
            # The table by role, narrowed to the province for province-wide actions (calendar, audit).
            may = op.permission == AUTHENTICATED or can(world.official(role, unit), Action(op.permission))
            response = await client.request(
                **request_for(op, world, code=world.a.code, n=n * 10 + len(role)), headers=world.headers(role, unit)
            )
            if may:
                assert response.status_code not in {401, 403}, f"{role}@{unit}: {response.text}"
            else:
                assert response.status_code == 403, f"{role}@{unit} got {response.status_code}"
                assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize("op", ON_A_TICKET, ids=str)
async def test_officials_of_commune_a_get_404_for_commune_b_tickets(
    client: httpx.AsyncClient, world: World, op: Operation
) -> None:
    for role in Role:
        if Action(op.permission) not in PERMISSIONS[role]:
            continue
        response = await client.request(**request_for(op, world, code=world.b.code), headers=world.headers(role))
        assert response.status_code == 404, f"{role}: {response.status_code} {response.text}"
        assert response.json() == {"error": "not_found", "detail": "not found", "field": None, "problems": []}
        assert world.b.text not in response.text


@pytest.mark.parametrize("op", ON_A_TICKET, ids=str)
async def test_confidential_tickets_are_hidden_below_province_level(
    client: httpx.AsyncClient,
    world: World,
    op: Operation,
    app: FastAPI,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for role in Role:
        if Action(op.permission) not in PERMISSIONS[role]:
            continue
        response = await client.request(
            **request_for(op, world, code=world.confidential.code), headers=world.headers(role)
        )
        assert response.status_code == 404, f"{role}: {response.status_code}"
    province_admin = world.headers(Role.ADMIN, PROVINCE)
    call = request_for(op, world, code=world.confidential.code)
    if "{event_id}" in op.path:  # a real reply of the confidential ticket, which the province finds
        posted = await client.post(
            f"{API}/tickets/{world.confidential.code}/replies", json={"text": "Tỉnh đã nhận."}, headers=province_admin
        )
        call["url"] = op.path.format(code=world.confidential.code, event_id=posted.json()["event"]["id"])
    if "{attachment_id}" in op.path:  # a real file of the confidential ticket, which the province finds
        attachment_id = await attach_file(app, sessions, world.confidential.code)
        call["url"] = op.path.format(code=world.confidential.code, attachment_id=attachment_id)
    province = await client.request(**call, headers=province_admin)
    assert province.status_code != 404, province.text


@pytest.mark.parametrize("op", FILTERED_BY_COMMUNE, ids=str)
async def test_filtering_on_another_commune_is_404(client: httpx.AsyncClient, world: World, op: Operation) -> None:
    for role in Role:
        if Action(op.permission) not in PERMISSIONS[role]:
            continue
        params = {**VALID_QUERIES.get((op.method, op.path.removeprefix(API)), {}), "commune": COMMUNE_B}
        response = await client.request(op.method, op.path, params=params, headers=world.headers(role))
        assert response.status_code == 404, f"{role}: {response.status_code}"
        own = await client.request(
            op.method, op.path, params={**params, "commune": COMMUNE_A}, headers=world.headers(role)
        )
        assert own.status_code == 200, own.text


async def test_lists_and_reports_of_commune_a_never_show_b_or_confidential_tickets(
    client: httpx.AsyncClient, world: World
) -> None:
    for role in Role:
        page = (await client.get(f"{API}/tickets", headers=world.headers(role))).json()
        codes = {item["code"] for item in page["items"]}
        assert codes == {world.a.code, world.other.code}, role
        summary = (await client.get(f"{API}/reports/summary", headers=world.headers(role))).json()
        assert summary["total"] == 2 and [c["commune_code"] for c in summary["by_commune"]] == [COMMUNE_A]
        export = await client.get(f"{API}/reports/export", params={"year": "2026"}, headers=world.headers(role))
        assert world.b.code not in export.text and world.confidential.code not in export.text
    everything = (await client.get(f"{API}/tickets", headers=world.headers(Role.VIEWER, PROVINCE))).json()
    assert {world.b.code, world.confidential.code} <= {item["code"] for item in everything["items"]}


async def test_a_commune_admin_cannot_manage_another_units_officials(client: httpx.AsyncClient, world: World) -> None:
    other = world.official(Role.OFFICER, COMMUNE_B)
    admin_a = world.headers(Role.ADMIN, COMMUNE_A)
    response = await client.post(f"{API}/officials/{other.id}/disable", headers=admin_a)
    assert response.status_code in {403, 404}
    listed = (await client.get(f"{API}/officials", headers=admin_a)).json()
    assert {official["unit"] for official in listed} == {COMMUNE_A}
    created = await client.post(
        f"{API}/officials",
        json={**VALID_BODIES[("POST", "/officials")](world, 0), "username": "lan-sang", "unit": PROVINCE},
        headers=admin_a,
    )
    assert created.status_code == 403


def test_ids_are_readable() -> None:
    assert all(re.fullmatch(r"(GET|POST|PUT|DELETE) /api/v1/\S+", str(op)) for op in OPERATIONS)
