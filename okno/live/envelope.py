from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Envelope:
    """One published message: the SSE event names it fires, its data, and who may
    receive it (everyone who sees all, members of ``queue_ids``, ``user_ids``).

    ``private`` messages concern only the people in ``user_ids`` (their unread
    notifications): nobody else gets them, not even those who see everything."""

    names: tuple[str, ...]
    data: dict[str, Any]
    queue_ids: frozenset[int] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)
    everyone: bool = False
    private: bool = False

    def to_json(self) -> str:
        return json.dumps(
            {
                "names": list(self.names),
                "data": self.data,
                "queue_ids": sorted(self.queue_ids),
                "user_ids": sorted(self.user_ids),
                "everyone": self.everyone,
                "private": self.private,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        obj = json.loads(raw)
        return cls(
            names=tuple(obj["names"]),
            data=obj.get("data") or {},
            queue_ids=frozenset(obj.get("queue_ids") or ()),
            user_ids=frozenset(obj.get("user_ids") or ()),
            everyone=bool(obj.get("everyone")),
            private=bool(obj.get("private")),
        )

    def sse(self) -> str:
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return "".join(f"event: {name}\ndata: {payload}\n\n" for name in self.names)
