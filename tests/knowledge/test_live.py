import datetime as dt
import os
import threading
from pathlib import Path

import pytest

import knowledge.live
import knowledge.loader
from knowledge.live import KnowledgeError, LiveKnowledge

TODAY = dt.date(2026, 11, 26)
QUESTION = "Hộ nghèo được vay tối đa bao nhiêu tiền?"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_changed_file_is_served_after_the_check_interval(mini_knowledge: Path) -> None:
    clock = FakeClock()
    live = LiveKnowledge(mini_knowledge, check_interval=2.0, clock=clock)
    first = live.engine
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "tối đa bao nhiêu tiền", "tối đa bao nhiêu tiền một hộ")
    assert live.engine is first  # not looked at before the interval
    clock.now = 3.0
    assert live.engine is first  # the rebuild has started in the background
    live.join(timeout=30)
    engine = live.engine
    assert engine is not first
    assert engine.ask(QUESTION, TODAY).ranked_ids[0] == "vay-von-muc-toi-da"
    assert engine.base.by_id["vay-von-muc-toi-da"].question.endswith("một hộ?")


def test_broken_change_keeps_the_previous_index(mini_knowledge: Path, caplog: pytest.LogCaptureFixture) -> None:
    live = LiveKnowledge(mini_knowledge, check_interval=0.0)
    before = live.engine
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "topic: vay-von", "topic: [vay-von")
    assert live.reload_if_changed() is False
    assert live.engine is before
    assert before.ask(QUESTION, TODAY).ranked_ids[0] == "vay-von-muc-toi-da"
    assert "still serving the previous version" in caplog.text


def test_unchanged_files_are_not_reloaded(mini_knowledge: Path) -> None:
    live = LiveKnowledge(mini_knowledge, check_interval=0.0)
    assert live.reload_if_changed() is False


def test_first_load_with_errors_refuses_to_start(mini_knowledge: Path) -> None:
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "topic: vay-von", "topic: [vay-von")
    with pytest.raises(KnowledgeError, match="error"):
        LiveKnowledge(mini_knowledge)


def test_change_that_fails_the_check_is_not_served(mini_knowledge: Path) -> None:
    live = LiveKnowledge(mini_knowledge, check_interval=0.0)
    before = live.engine
    path = mini_knowledge / "faq" / "vay-von.yaml"
    _edit(path, "Câu trả lời cho: Hộ nghèo được vay", "<b>Câu trả lời</b> cho: Hộ nghèo được vay")
    assert live.reload_if_changed() is False
    assert "<b>" not in live.engine.base.by_id["vay-von-muc-toi-da"].answer
    assert live.engine is before


def test_a_rebuild_never_holds_up_the_answers(mini_knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    live = LiveKnowledge(mini_knowledge, check_interval=2.0, clock=clock)
    first = live.engine
    loading, release = threading.Event(), threading.Event()
    load = knowledge.loader.load_knowledge

    def slow_load(directory: Path) -> object:
        loading.set()
        release.wait(timeout=30)
        return load(directory)

    monkeypatch.setattr(knowledge.live, "load_knowledge", slow_load)
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "tối đa bao nhiêu tiền", "tối đa bao nhiêu tiền một hộ")
    clock.now = 3.0
    assert live.engine is first
    assert loading.wait(timeout=30)
    clock.now = 6.0
    assert live.engine is first  # still rebuilding: the previous engine answers, and no second rebuild starts
    release.set()
    live.join(timeout=30)
    assert live.engine.base.by_id["vay-von-muc-toi-da"].question.endswith("một hộ?")


def test_a_rebuild_that_crashes_keeps_the_previous_index(
    mini_knowledge: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    live = LiveKnowledge(mini_knowledge, check_interval=2.0, clock=clock)
    first = live.engine
    load = knowledge.loader.load_knowledge

    def crash(directory: Path) -> object:
        raise OSError("disk went away")

    monkeypatch.setattr(knowledge.live, "load_knowledge", crash)
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "tối đa bao nhiêu tiền", "tối đa bao nhiêu tiền một hộ")
    clock.now = 3.0
    assert live.engine is first  # the rebuild starts
    live.join(timeout=30)
    assert live.engine is first
    assert "rebuilding the knowledge index failed" in caplog.text
    # The crashed rebuild let go of its lock: the next edit is picked up.
    monkeypatch.setattr(knowledge.live, "load_knowledge", load)
    _edit(mini_knowledge / "faq" / "vay-von.yaml", "một hộ", "mỗi hộ")
    clock.now = 6.0
    assert live.engine is first  # the rebuild starts
    live.join(timeout=30)
    assert live.engine.base.by_id["vay-von-muc-toi-da"].question.endswith("mỗi hộ?")
