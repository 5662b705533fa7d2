"""The ``caunoi`` command as a person or a script uses it: a real process, real files."""

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from casework.database import create_engine, create_session_factory
from casework.tickets.models import TicketKind
from casework.tickets.service import submit_ticket
from tests.casework.factories import COMMUNE_A, ticket_data


def caunoi(
    *args: str, knowledge: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "CAUNOI_KNOWLEDGE_DIR": str(knowledge), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "caunoi", *args],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_ask_prints_the_answer_with_its_source(mini_knowledge: Path) -> None:
    result = caunoi("ask", "lãi suất vay ngân hàng chính sách xã hội cho hộ nghèo", knowledge=mini_knowledge)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Câu trả lời cho: Hộ nghèo vay vốn" in out
    assert "Căn cứ: Nghị định 07/2021/NĐ-CP, Điều 3" in out
    assert "**" not in out


def test_ask_json_has_the_documented_shape(mini_knowledge: Path) -> None:
    result = caunoi("ask", "--json", "lãi suất vay ngân hàng chính sách xã hội cho hộ nghèo", knowledge=mini_knowledge)
    data = json.loads(result.stdout)
    assert data["outcome"] == "answer"
    assert 0 < data["confidence"] <= 1
    assert set(data["answer"]) >= {"id", "question", "text", "sources", "valid_from", "valid_until"}
    assert data["answer"]["id"] == "vay-von-lai-suat"
    assert data["answer"]["sources"][0]["document"] == "Nghị định 07/2021/NĐ-CP"
    assert all(set(s) == {"id", "question", "text", "score"} for s in data["suggestions"])


def test_ask_date_selects_the_answer_in_force(mini_knowledge: Path) -> None:
    question = "Thu nhập bao nhiêu thì được tính là hộ nghèo?"
    old = json.loads(caunoi("ask", "--json", "--date", "2026-03-01", question, knowledge=mini_knowledge).stdout)
    new = json.loads(caunoi("ask", "--json", "--date", "2027-03-01", question, knowledge=mini_knowledge).stdout)
    assert old["answer"]["id"] == "chuan-ngheo-2026"
    assert new["answer"]["id"] == "chuan-ngheo-2027"
    assert new["answer"]["valid_from"] == "2027-01-01"


def test_batch_mode_answers_each_line_in_order_and_survives_bad_bytes(mini_knowledge: Path) -> None:
    lines = [
        b"lai suat vay nhcsxh ho ngheo",
        b"alo",
        b"\xff\xfe\xc3(",  # invalid UTF-8
        b"",
        "\u202e\u200b😀 giá vàng hôm nay".encode(),
        ("hộ nghèo " * 1000).encode(),
    ]
    result = caunoi("ask", knowledge=mini_knowledge, stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(records) == len(lines)
    assert records[0]["suggestions"] or records[0]["answer"]
    assert records[1]["outcome"] == "smalltalk"
    assert records[3] == {"outcome": None, "error": "empty_question"}
    assert records[4]["outcome"] == "fallback"
    assert all(r["outcome"] in {"answer", "suggest", "fallback", "smalltalk", None} for r in records)


@pytest.mark.parametrize("question", ["", "   \t "])
def test_blank_question_is_refused_politely(mini_knowledge: Path, question: str) -> None:
    result = caunoi("ask", question, knowledge=mini_knowledge)
    assert result.returncode == 2
    assert "Câu hỏi trống" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_bad_date_is_refused_politely(mini_knowledge: Path) -> None:
    result = caunoi("ask", "--date", "31/12/2026", "hộ nghèo", knowledge=mini_knowledge)
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr.decode()


def test_faq_check_passes_on_clean_files(mini_knowledge: Path) -> None:
    result = caunoi("faq", "check", knowledge=mini_knowledge)
    assert result.returncode == 0, result.stdout
    assert "6 entries, 0 error(s), 0 warning(s)" in result.stdout.decode()


def test_faq_check_names_file_and_line_and_fails(mini_knowledge: Path) -> None:
    path = mini_knowledge / "faq" / "vay-von.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- vay-von-muc-toi-da", "- khong-ton-tai"), "utf-8")
    result = caunoi("faq", "check", knowledge=mini_knowledge)
    assert result.returncode == 1
    [line] = [x for x in result.stdout.decode().splitlines() if "khong-ton-tai" in x]
    location = line.split(": ")[0]
    file_name, number = location.rsplit(":", 1)
    assert file_name.endswith("vay-von.yaml")
    assert "khong-ton-tai" in path.read_text(encoding="utf-8").splitlines()[int(number) - 1]


def test_ask_refuses_to_serve_broken_files(mini_knowledge: Path) -> None:
    (mini_knowledge / "faq" / "vay-von.yaml").write_text("topic: [broken", encoding="utf-8")
    result = caunoi("ask", "hộ nghèo", knowledge=mini_knowledge)
    assert result.returncode == 1
    assert "caunoi faq check" in result.stderr.decode()


def test_faq_eval_reports_rates_and_misses(mini_knowledge: Path, tmp_path: Path) -> None:
    eval_file = tmp_path / "eval.yaml"
    eval_file.write_text(
        "date: 2026-11-26\nquestions:\n"
        "  - {q: 'lai suat vay nhcsxh bao nhieu', expect: vay-von-lai-suat}\n"
        "  - {q: 'xây đường bê tông vào thôn', expect: lam-duong}\n"
        "  - {q: 'giá lúa', expect: duong-tinh}\n"
        "out_of_scope: ['xổ số hôm nay về con gì']\n",
        encoding="utf-8",
    )
    result = caunoi("faq", "eval", str(eval_file), knowledge=mini_knowledge)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "top-1:  66.7%" in out
    assert "'giá lúa': expected duong-tinh" in out
    assert "false answers): 0" in out


def test_production_refuses_the_default_secret(mini_knowledge: Path) -> None:
    result = caunoi("faq", "check", knowledge=mini_knowledge, env={"CAUNOI_ENVIRONMENT": "production"})
    assert result.returncode == 2
    assert "CAUNOI_SECRET_KEY" in result.stderr.decode()


def test_chat_opens_the_embedded_database_and_answers_at_the_prompt(mini_knowledge: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = caunoi(
        "chat",
        knowledge=mini_knowledge,
        stdin="lãi suất vay nhcsxh hộ nghèo\nthoát\n".encode(),
        env={"CAUNOI_DATA_DIR": str(data)},
    )
    assert result.returncode == 0, result.stderr
    assert (data / "caunoi.db").exists()
    assert "Câu trả lời cho: Hộ nghèo vay vốn" in result.stdout.decode()
    assert "alembic" not in result.stdout.decode() + result.stderr.decode()  # no migration log on the screen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_run_serves_the_api_over_http_until_stopped(mini_knowledge: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    environment = {
        **os.environ,
        "CAUNOI_KNOWLEDGE_DIR": str(mini_knowledge),
        "CAUNOI_DATA_DIR": str(data),
        "CAUNOI_ADMIN_USERNAME": "quantri",
        "CAUNOI_ADMIN_PASSWORD": "mật-khẩu-quản-trị-dài",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "caunoi", "run", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz", timeout=5).json()["database"] == "sqlite"
        login = httpx.post(f"{base}/auth/token", data={"username": "quantri", "password": "mật-khẩu-quản-trị-dài"})
        assert login.status_code == 200, login.text
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells how it stopped.
    assert server.returncode in {0, -signal.SIGTERM}, err.decode()
    assert "Application shutdown complete" in err.decode()
    assert (data / "caunoi.db").exists()
    printed = out.decode()
    assert f"http://127.0.0.1:{port}/api/v1/docs" in printed
    assert "quantri" in printed and "mật-khẩu-quản-trị-dài" not in printed + err.decode()


def test_user_add_refuses_a_unit_that_does_not_exist(mini_knowledge: Path, tmp_path: Path) -> None:
    env = {"CAUNOI_DATA_DIR": str(tmp_path / "data")}
    args = ("user", "add", "nong.van.e", "--name", "E", "--unit", "99999", "--password-stdin")
    result = caunoi(*args, knowledge=mini_knowledge, stdin="mật-khẩu-đủ-dài\n".encode(), env=env)
    assert result.returncode == 2, result.stderr
    assert "99999" in result.stderr.decode() and "commune code" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_user_commands_apply_the_password_policy_and_enable_a_disabled_official(
    mini_knowledge: Path, tmp_path: Path
) -> None:
    env = {"CAUNOI_DATA_DIR": str(tmp_path / "data")}
    assert caunoi("db", "upgrade", knowledge=mini_knowledge, env=env).returncode == 0

    def add(username: str, password: str) -> subprocess.CompletedProcess[bytes]:
        args = ("user", "add", username, "--name", "E", "--unit", "01273", "--password-stdin")
        return caunoi(*args, knowledge=mini_knowledge, stdin=f"{password}\n".encode(), env=env)

    for password in (" " * 12, "1234567890", "nong.van.e.2026", "Password123"):
        weak = add("nong.van.e", password)
        assert weak.returncode == 1 and "password" in weak.stderr.decode(), weak.stderr
        assert b"Traceback" not in weak.stderr
    assert add("nong.van.e", "mật-khẩu-đủ-dài").returncode == 0
    reset = caunoi(
        "user",
        "reset-password",
        "nong.van.e",
        "--password-stdin",
        knowledge=mini_knowledge,
        stdin=b"0987654321\n",
        env=env,
    )
    assert reset.returncode == 1 and "password" in reset.stderr.decode()
    assert caunoi("user", "disable", "nong.van.e", knowledge=mini_knowledge, env=env).returncode == 0
    enabled = caunoi("user", "enable", "nong.van.e", knowledge=mini_knowledge, env=env)
    assert enabled.returncode == 0 and "Enabled nong.van.e." in enabled.stdout.decode()
    listed = caunoi("user", "list", knowledge=mini_knowledge, env=env).stdout.decode()
    assert listed.splitlines() == ["nong.van.e\tE\tofficer\t01273\tactive"]


def test_deadlines_recompute_counts_open_cases_again_after_the_remote_list_changes(
    mini_knowledge: Path, tmp_path: Path
) -> None:
    env = {"CAUNOI_DATA_DIR": str(tmp_path / "data")}
    assert caunoi("db", "upgrade", knowledge=mini_knowledge, env=env).returncode == 0
    database = tmp_path / "data" / "caunoi.db"

    async def submit() -> str:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        async with create_session_factory(engine)() as session:
            ticket = await submit_ticket(session, data=ticket_data(kind=TicketKind.COMPLAINT, topic=None))
            await session.commit()
        await engine.dispose()
        return ticket.code

    code = asyncio.run(submit())
    with sqlite3.connect(database) as connection:  # accepted (thụ lý) the day it arrived
        connection.execute("UPDATE tickets SET status = 'accepted', accepted_at = received_at WHERE code = ?", (code,))

    def deadline() -> str:
        with sqlite3.connect(database) as connection:
            return str(connection.execute("SELECT deadline FROM tickets WHERE code = ?", (code,)).fetchone()[0])

    to_accept = deadline()
    recomputed = caunoi("deadlines", "recompute", knowledge=mini_knowledge, env=env)
    assert recomputed.returncode == 0, recomputed.stderr
    assert "1 deadline(s) moved" in recomputed.stdout.decode()
    to_settle = deadline()  # now the period to settle the complaint
    assert to_settle > to_accept
    remote = {**env, "CAUNOI_REMOTE_COMMUNES": json.dumps([COMMUNE_A])}
    assert (
        "1 deadline(s) moved" in caunoi("deadlines", "recompute", knowledge=mini_knowledge, env=remote).stdout.decode()
    )
    assert deadline() > to_settle  # vùng sâu, vùng xa: the longer period
    again = caunoi("deadlines", "recompute", knowledge=mini_knowledge, env=remote)
    assert "0 deadline(s) moved" in again.stdout.decode()
    with sqlite3.connect(database) as connection:
        events = connection.execute(
            "SELECT actor_kind, actor_id, data FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE t.code = ? AND e.kind = 'deadline_change' ORDER BY e.id",
            (code,),
        ).fetchall()
    assert [(kind, official, json.loads(data)["reason"]) for kind, official, data in events] == [
        ("system", None, "rules"),
        ("system", None, "rules"),
    ]
