"""The conversation state the engine keeps between updates: plain JSON in the conversation row.

``flow`` and ``step`` say where the dialogue stands; ``data`` holds the half-filled form;
``offered`` the buttons of the last message (payload and label), so a tap on an older one is
recognised and a typed "2" means the second choice; ``numeric`` marks a step that expects a
number, where "2" is an answer, not a choice; ``capture`` marks a step that reads free text
itself (a form) instead of sending it to the knowledge engine. A state the code cannot read
(an older format, a flow that no longer exists) is treated as no state at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = 1
IDLE = "idle"


@dataclass
class State:
    flow: str = IDLE
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    offered: list[tuple[str, str]] = field(default_factory=list)  # (payload, label)
    numeric: bool = False
    capture: bool = False

    @property
    def idle(self) -> bool:
        return self.flow == IDLE

    @property
    def offered_payloads(self) -> list[str]:
        return [payload for payload, _ in self.offered]

    def to_json(self) -> dict[str, Any]:
        """The state as stored."""
        return {
            "format": FORMAT,
            "flow": self.flow,
            "step": self.step,
            "data": self.data,
            "offered": [[payload, label] for payload, label in self.offered],
            "numeric": self.numeric,
            "capture": self.capture,
        }

    @classmethod
    def from_json(cls, raw: object, known_flows: frozenset[str]) -> State:
        """Read a stored state; anything unreadable or from an unknown flow gives the idle state."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return cls()
        flow, step, data, offered = raw.get("flow"), raw.get("step"), raw.get("data"), raw.get("offered")
        if not isinstance(flow, str) or (flow != IDLE and flow not in known_flows):
            return cls()
        if not isinstance(step, str) or not isinstance(data, dict) or not isinstance(offered, list):
            return cls()
        pairs = [(str(item[0]), str(item[1])) for item in offered if isinstance(item, list | tuple) and len(item) == 2]
        return cls(
            flow=flow,
            step=step,
            data=data,
            offered=pairs,
            numeric=raw.get("numeric") is True,
            capture=raw.get("capture") is True,
        )
