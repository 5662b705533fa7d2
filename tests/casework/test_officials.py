"""Officials: Argon2id passwords, login rate limits, hashed tokens that die with a password or role change."""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.errors import AuthenticationFailed, Conflict, Forbidden, LoginLocked, NotFound, ValidationFailed
from casework.officials.models import PROVINCE, ApiToken, Official, Role
from casework.officials.permissions import PERMISSIONS, Action, can, require
from casework.officials.schemas import LoginPolicy, OfficialCreate, OfficialPublic
from casework.officials.service import (
    authenticate,
    change_role,
    create_official,
    disable_official,
    ensure_first_admin,
    find_official,
    issue_token,
    list_officials,
    reset_password,
    resolve_token,
    revoke_token,
)
from tests.casework.factories import COMMUNE_A, COMMUNE_B, NOW, PASSWORD, make_official

ADDRESS = "203.0.113.7"
WRONG = "sai-mat-khau"  # noqa: S105 - a test password
NEW_PASSWORD = "một-mật-khẩu-mới"  # noqa: S105 - a test password
SHORT = "ngắn"  # noqa: S105 - a test password


def new_official(username: str = "can.bo-A", role: Role = Role.OFFICER, unit: str = COMMUNE_A) -> OfficialCreate:
    return OfficialCreate(username=username, display_name="Nông Văn A", password=PASSWORD, role=role, unit=unit)


async def test_passwords_are_stored_as_argon2id_and_never_shown(session: AsyncSession) -> None:
    official = await create_official(session, actor=None, data=new_official())
    assert official.username == "can.bo-a"
    assert official.password_hash.startswith("$argon2id$") and PASSWORD not in official.password_hash
    assert "password_hash" not in OfficialPublic.model_validate(official).model_dump()


async def test_usernames_are_unique_whatever_the_case(session: AsyncSession) -> None:
    await create_official(session, actor=None, data=new_official("nguyen.van.a"))
    with pytest.raises(Conflict):
        await create_official(session, actor=None, data=new_official("Nguyen.Van.A"))


@pytest.mark.parametrize(
    "fields",
    [{"password": "ngắn"}, {"username": "a"}, {"username": "tên có dấu"}, {"unit": "Hà Quảng"}, {"role": "root"}],
)
def test_invalid_officials_are_refused(fields: dict[str, str]) -> None:
    values = {"username": "can.bo", "display_name": "A", "password": PASSWORD, "role": "officer", "unit": COMMUNE_A}
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        OfficialCreate(**{**values, **fields})


async def test_the_right_password_logs_in_and_a_wrong_one_does_not(session: AsyncSession) -> None:
    official = await make_official(session, username="dang.thi.b")
    assert (await authenticate(session, username=" Dang.Thi.B ", password=PASSWORD, address=ADDRESS)).id == official.id
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        await authenticate(session, username="dang.thi.b", password=WRONG, address=ADDRESS)


async def test_disabled_officials_cannot_log_in_and_their_tokens_die(session: AsyncSession) -> None:
    official = await make_official(session, username="be.van.c")
    token = await issue_token(session, official=official)
    await disable_official(session, actor=None, official_id=official.id)
    with pytest.raises(AuthenticationFailed):
        await authenticate(session, username="be.van.c", password=PASSWORD, address=ADDRESS)
    with pytest.raises(AuthenticationFailed):
        await resolve_token(session, token=token.token)


async def test_an_unknown_username_costs_as_much_as_a_known_one(session: AsyncSession) -> None:
    await make_official(session, username="known.user")

    async def timed(username: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AuthenticationFailed):
            await authenticate(session, username=username, password=WRONG, address=f"198.51.100.{len(username)}")
        return time.perf_counter() - start

    known = statistics.median([await timed("known.user") for _ in range(3)])
    unknown = statistics.median([await timed("no.such.user") for _ in range(3)])
    # Without the decoy hash an unknown name answers in about a millisecond, tens of times faster.
    assert unknown > known / 3


async def test_five_failures_lock_the_username_from_that_address_for_the_rest_of_the_window(
    session: AsyncSession,
) -> None:
    await make_official(session, username="locked.out")
    policy = LoginPolicy()
    for minute in range(5):
        with pytest.raises(AuthenticationFailed) as failure:
            await authenticate(
                session, username="locked.out", password=WRONG, address=ADDRESS, now=NOW + dt.timedelta(minutes=minute)
            )
        assert not isinstance(failure.value, LoginLocked)
    later = NOW + dt.timedelta(minutes=5)
    with pytest.raises(LoginLocked) as locked:
        await authenticate(session, username="locked.out", password=PASSWORD, address=ADDRESS, now=later)
    assert locked.value.retry_after == 10 * 60  # the first failure leaves the 15-minute window at minute 15
    # Failures from one address never lock the official out everywhere (anyone could do that to anyone).
    assert (
        await authenticate(session, username="locked.out", password=PASSWORD, address="192.0.2.1", now=later)
    ).username == "locked.out"
    assert (
        await authenticate(session, username="locked.out", password=PASSWORD, address=ADDRESS, now=NOW + policy.window)
    ).username == "locked.out"


async def test_a_success_clears_earlier_failures_of_the_username(session: AsyncSession) -> None:
    await make_official(session, username="typo.prone")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await authenticate(session, username="typo.prone", password=WRONG, address=ADDRESS, now=NOW)
    await authenticate(session, username="typo.prone", password=PASSWORD, address=ADDRESS, now=NOW)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed) as failure:
            await authenticate(session, username="typo.prone", password=WRONG, address=ADDRESS, now=NOW)
        assert not isinstance(failure.value, LoginLocked)


async def test_one_address_trying_many_usernames_is_locked(session: AsyncSession) -> None:
    policy = LoginPolicy(max_failures_per_address=6)
    for number in range(6):
        with pytest.raises(AuthenticationFailed):
            await authenticate(
                session, username=f"guess{number}", password=WRONG, address=ADDRESS, now=NOW, policy=policy
            )
    with pytest.raises(LoginLocked):
        await authenticate(session, username="guess99", password=WRONG, address=ADDRESS, now=NOW, policy=policy)
    with pytest.raises(AuthenticationFailed) as other_address:
        await authenticate(session, username="guess99", password=WRONG, address="192.0.2.9", now=NOW, policy=policy)
    assert not isinstance(other_address.value, LoginLocked)


async def test_the_lock_holds_across_processes(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as setup:
        await make_official(setup, username="shared.lock")
        await setup.commit()
    for _ in range(5):
        async with sessions() as request:  # each request is its own unit of work, as in several processes
            with pytest.raises(AuthenticationFailed):
                await authenticate(request, username="shared.lock", password=WRONG, address=ADDRESS)
            await request.commit()  # the edge keeps failed attempts (see authenticate's docstring)
    async with sessions() as elsewhere:
        with pytest.raises(LoginLocked):
            await authenticate(elsewhere, username="shared.lock", password=PASSWORD, address=ADDRESS)


async def test_tokens_are_stored_hashed_and_resolve_to_their_official(session: AsyncSession) -> None:
    official = await make_official(session)
    issued = await issue_token(session, official=official, now=NOW)
    assert len(issued.token) >= 43 and issued.expires_at == NOW + dt.timedelta(hours=12)
    row = (await session.scalars(select(ApiToken))).one()
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest() != issued.token
    assert (await resolve_token(session, token=issued.token, now=NOW)).id == official.id


@pytest.mark.parametrize("how", ["expired", "revoked", "password", "role", "unknown"])
async def test_tokens_stop_working(session: AsyncSession, how: str) -> None:
    official = await make_official(session)
    issued = await issue_token(session, official=official, now=NOW)
    now = NOW
    token = issued.token
    if how == "expired":
        now = issued.expires_at
    elif how == "revoked":
        await revoke_token(session, token=token)
        await revoke_token(session, token=token)  # twice is harmless
    elif how == "password":
        await reset_password(session, actor=None, official_id=official.id, new_password=NEW_PASSWORD)
    elif how == "role":
        await change_role(session, actor=None, official_id=official.id, role=Role.VIEWER, unit=official.unit)
    else:
        token = "x" * 43
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        await resolve_token(session, token=token, now=now)


async def test_a_reset_password_replaces_the_old_one(session: AsyncSession) -> None:
    official = await make_official(session, username="reset.me")
    with pytest.raises(ValidationFailed):
        await reset_password(session, actor=None, official_id=official.id, new_password=SHORT)
    await reset_password(session, actor=None, official_id=official.id, new_password=NEW_PASSWORD)
    await authenticate(session, username="reset.me", password=NEW_PASSWORD, address=ADDRESS)
    with pytest.raises(AuthenticationFailed):
        await authenticate(session, username="reset.me", password=PASSWORD, address=ADDRESS)


async def test_the_first_admin_is_created_once(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed):
        await ensure_first_admin(session, username="admin", password="")
    admin = await ensure_first_admin(session, username="admin", password=PASSWORD)
    assert admin is not None and (admin.role, admin.unit) == (Role.ADMIN, PROVINCE)
    assert await ensure_first_admin(session, username="admin2", password=PASSWORD) is None


async def test_commune_admins_manage_only_their_commune(session: AsyncSession) -> None:
    commune_admin = await make_official(session, role=Role.ADMIN, unit=COMMUNE_A)
    colleague = await create_official(session, actor=commune_admin, data=new_official("dong.nghiep"))
    with pytest.raises(Forbidden):
        await create_official(session, actor=commune_admin, data=new_official("xa.khac", unit=COMMUNE_B))
    with pytest.raises(Forbidden):
        await create_official(session, actor=commune_admin, data=new_official("tinh", unit=PROVINCE))
    with pytest.raises(Forbidden):
        await change_role(session, actor=commune_admin, official_id=colleague.id, role=Role.ADMIN, unit=PROVINCE)
    outsider = await make_official(session, unit=COMMUNE_B)
    with pytest.raises(Forbidden):
        await disable_official(session, actor=commune_admin, official_id=outsider.id)
    listed = {official.username for official in await list_officials(session, actor=commune_admin)}
    assert listed == {commune_admin.username, "dong.nghiep"}
    assert len(await list_officials(session, actor=None)) == 3


async def test_officers_cannot_manage_officials(session: AsyncSession) -> None:
    officer = await make_official(session)
    with pytest.raises(Forbidden):
        await list_officials(session, actor=officer)
    with pytest.raises(NotFound):
        await disable_official(session, actor=officer, official_id=999_999)


async def test_find_official_by_username(session: AsyncSession) -> None:
    official = await make_official(session, username="tim.thay")
    assert (await find_official(session, username="TIM.THAY")).id == official.id
    with pytest.raises(NotFound):
        await find_official(session, username="khong.co")


def test_permissions_deny_by_default() -> None:
    assert PERMISSIONS[Role.ADMIN] == frozenset(Action)
    assert Action.TICKET_REPLY not in PERMISSIONS[Role.VIEWER]
    assert Action.TICKET_READ_CONTACT not in PERMISSIONS[Role.EDITOR]
    assert Action.TICKET_EXTEND not in PERMISSIONS[Role.OFFICER]
    assert Action.AUDIT_READ in PERMISSIONS[Role.ADMIN] - PERMISSIONS[Role.SUPERVISOR]


def test_a_disabled_admin_can_do_nothing() -> None:
    admin = Official(role=Role.ADMIN, unit=PROVINCE, disabled=True)
    assert not any(can(admin, action) for action in Action)
    with pytest.raises(Forbidden):
        require(admin, Action.TICKET_READ)
