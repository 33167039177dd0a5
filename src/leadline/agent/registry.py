"""Which brain the agent uses: LEADLINE_BRAIN ("rules" by default).

"rules" is the built-in deterministic brain. Any other value is the dotted path of
a class implementing agent.types.Brain (an LLM brain, a test double), created with
no arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils.module_loading import import_string

from leadline.agent.types import Brain

_BUILT_IN = {"rules": "leadline.agent.rules_brain.RulesBrain"}

_override: Brain | None = None
_cache: dict[str, Brain] = {}


def brain_name() -> str:
    return str(getattr(settings, "LEADLINE_BRAIN", "") or "rules")


def get_brain() -> Brain:
    """The configured brain (one instance per process; brains keep no per-lead state)."""
    if _override is not None:
        return _override
    name = brain_name()
    if name not in _cache:
        path = _BUILT_IN.get(name.lower(), name)
        if "." not in path:
            raise ValueError(
                f"LEADLINE_BRAIN={name!r} is unknown; use 'rules' or a dotted path to a class"
            )
        brain_class = import_string(path)
        _cache[name] = brain_class()
    return _cache[name]


@contextmanager
def use_brain(brain: Brain) -> Iterator[Brain]:
    """Decide with another brain for a while (tests)."""
    global _override
    previous = _override
    _override = brain
    try:
        yield brain
    finally:
        _override = previous
