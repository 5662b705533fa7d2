from sqlalchemy import text

from casework.database import create_engine, ping


async def test_database_answers_and_keeps_what_was_written(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await ping(engine) in {"sqlite", "postgresql"}
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT)"))
            await connection.execute(text("INSERT INTO probe (id, note) VALUES (1, 'Cầu Nối')"))
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT note FROM probe"))).scalar_one() == "Cầu Nối"
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE probe"))
    finally:
        await engine.dispose()


async def test_sqlite_file_folder_is_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'data' / 'caunoi.db'}"
    engine = create_engine(url)
    try:
        assert await ping(engine) == "sqlite"
    finally:
        await engine.dispose()
    assert (tmp_path / "nested" / "data" / "caunoi.db").exists()
