"""Background processes ``kantor run`` starts next to the web server.

Apps add theirs in ``AppConfig.ready`` (e.g. the market's matcher per pair);
in production each is a separate service (see docs/OPERATIONS.md).
"""

from __future__ import annotations

from collections.abc import Callable

#: name → function returning the kantor sub-command argv, e.g. ["worker"].
_processes: dict[str, Callable[[], list[str]]] = {"worker": lambda: ["worker"]}


def register(name: str, argv: Callable[[], list[str]]) -> None:
    _processes[name] = argv


def background_processes() -> dict[str, list[str]]:
    return {name: fn() for name, fn in sorted(_processes.items())}
