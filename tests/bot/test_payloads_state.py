"""Button payloads and the stored conversation state: whatever comes back is checked."""

from __future__ import annotations

import pytest

from bot.payloads import Payload, decode, encode, entry_key
from bot.state import State


def test_payloads_round_trip() -> None:
    raw = encode("rt", "CB-7K3M-9Q2X", "5")
    assert raw == "rt:CB-7K3M-9Q2X:5"
    assert decode(raw) == Payload("rt", ("CB-7K3M-9Q2X", "5"))


@pytest.mark.parametrize("raw", ["", "x" * 65, "m:menu\n", "M:menu", "m:đ", "m:a b", "toolongaction:x", ":x"])
def test_malformed_payloads_are_not_ours(raw: str) -> None:
    assert decode(raw) is None


def test_a_payload_that_would_not_fit_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode("fb", "y", "x" * 60)
    with pytest.raises(ValueError, match="without ':'"):
        encode("q", "a:b")


def test_long_entry_ids_are_named_by_a_stable_hash() -> None:
    long_id = "a-very-long-faq-entry-identifier-that-goes-on-and-on"
    assert entry_key("ho-ngheo-la-gi") == "ho-ngheo-la-gi"
    assert entry_key(long_id) == entry_key(long_id)
    assert entry_key(long_id).startswith("#")
    assert len(encode("fb", "y", entry_key(long_id))) <= 64


def test_state_round_trips_through_json() -> None:
    state = State("report", "describe", {"texts": ["a"]}, [("rd:done", "Tiếp tục")], numeric=False, capture=True)
    assert State.from_json(state.to_json(), frozenset({"report"})) == state


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {},
        {"format": 99, "flow": "report"},
        {"format": 1, "flow": "gone-flow", "step": "", "data": {}, "offered": []},
        {"format": 1, "flow": "report", "step": 3, "data": {}, "offered": []},
        {"format": 1, "flow": "report", "step": "x", "data": [], "offered": []},
        "garbage",
    ],
)
def test_unreadable_state_is_no_state(raw: object) -> None:
    assert State.from_json(raw, frozenset({"report"})) == State()
