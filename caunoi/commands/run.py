"""``caunoi run``: start Cầu Nối's web service (the officials' API for now) with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from caunoi.commands.common import load_settings
from caunoi.settings import Settings

# The web stack (caunoi.app, uvicorn) is imported when the service starts, not when any `caunoi`
# command starts: `caunoi ask` in batch mode stays small and quick.


def _browser_host(host: str) -> str:
    # 0.0.0.0 and :: listen everywhere but cannot be browsed to; the machine itself can.
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - compared against, not bound
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def describe(settings: Settings, host: str, port: int) -> str:
    """What the operator needs on start: where the service answers and how the first admin gets in."""
    from caunoi.app import DOCS_URL, OPENAPI_URL

    base = f"http://{_browser_host(host)}:{port}"
    lines = [f"Cầu Nối đang chạy tại {base} (cơ sở dữ liệu: {settings.resolved_database_url.split(':', 1)[0]})."]
    if settings.api_docs_enabled:
        lines.append(f"  Tài liệu API: {base}{DOCS_URL}  (OpenAPI: {base}{OPENAPI_URL})")
    lines.append(f"  Kiểm tra: {base}/api/v1/healthz, {base}/api/v1/readyz")
    if settings.admin_username:
        lines.append(
            f"  Đăng nhập: tài khoản quản trị '{settings.admin_username}' (CAUNOI_ADMIN_USERNAME) với mật khẩu "
            f"CAUNOI_ADMIN_PASSWORD, qua POST {base}/api/v1/auth/token hoặc nút Authorize trong tài liệu API."
        )
    else:
        lines.append(
            "  Chưa cấu hình quản trị viên đầu tiên: đặt CAUNOI_ADMIN_USERNAME và CAUNOI_ADMIN_PASSWORD rồi khởi động "
            "lại, hoặc chạy `caunoi user add TEN --role admin`."
        )
    lines.append("  Nhấn Ctrl-C để dừng.")
    return "\n".join(lines)


def run(
    host: Annotated[str | None, typer.Option(help="Address to listen on (CAUNOI_HOST, default 127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to listen on (CAUNOI_PORT, default 8000).")
    ] = None,
) -> None:
    """Start the web service: migrate the database, create the first admin if configured, serve the API."""
    import uvicorn

    from caunoi.app import create_app

    settings = load_settings()
    host = host if host is not None else settings.host
    port = port if port is not None else settings.port
    app = create_app(settings)
    typer.echo(describe(settings, host, port))
    # Our logging is configured by the `caunoi` entry point; uvicorn's access log would write search
    # terms from query strings (possibly names) to the log, so it stays off.
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, server_header=False)
