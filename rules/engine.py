"""The one module that imports durable_rules. Facts in, fired rule names out.

durable_rules 2.0.28 is a C extension with sharp edges (see DURABLE_RULES.md); this module is the fence:

- one engine per process: every ruleset lives in the C core's process-wide tables; a name is registered once
  (rulesets cannot be replaced or unloaded, so each policy version has its own name);
- one lock around every call into the C core, which keeps global tables without a mutex;
- no timer threads: we call the C core directly instead of through `durable.engine.Host`, whose constructor
  starts two timer threads that may run pending actions of any session on their own thread;
- one reserved session id; every evaluation asserts the fact, collects every rule that fired, and retracts it
  again, so the session is empty between evaluations;
- every fact carries the same reserved id (`FACT_ID`): the C core then need not hash the whole fact to name
  it, and a fact left behind by a failed retraction cannot go unnoticed, since the next assertion of that id
  is refused (and raises here) instead of deciding next to it;
- actions are not Python callbacks at all: we read the names of the rules that fired, so no exception can be
  swallowed inside an action;
- a catch-all rule must fire on every fact: if it did not, the evaluation did not complete and we raise.

A fact is given as a mapping (`fire`) or, on the hot path, as JSON text that starts with `FACT_START`
(`fire_text`); `open_fact` and `quote` help callers build that text from pre-encoded parts.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from typing import Any

import durable_rules_engine as _core

from rules.errors import EngineError

SESSION_ID = "mandaat"
FACT_ID = "mandaat"
CATCH_ALL = "evaluated"

#: Every fact text begins with these two fields: the reserved session and the reserved fact id.
FACT_START = f'{{"sid":"{SESSION_ID}","id":"{FACT_ID}"'
_RESERVED = frozenset({"sid", "id"})

#: A text as a JSON string, as the engine reads it.
quote: Callable[[str], str] = encode_basestring

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_lock = threading.Lock()
_handles: dict[str, int] = {}
_definitions: dict[str, str] = {}


def _reinit_lock_after_fork() -> None:
    """A child forked while another thread held the lock would otherwise wait for it forever."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_reinit_lock_after_fork)


def open_fact(fields: Mapping[str, Any]) -> str:
    """The start of a fact's JSON text: `FACT_START` and `fields`, without the closing brace. A caller appends
    `,"name":value` pairs and `}`; `sid` and `id` are reserved."""
    if _RESERVED & fields.keys():
        raise EngineError(f"the fields {sorted(_RESERVED & fields.keys())} are reserved")
    body = _encode(dict(fields))[1:-1]
    return f"{FACT_START},{body}" if body else FACT_START


def register(name: str, rules: Mapping[str, Any]) -> None:
    """Create the ruleset `name` once. Registering the same definition again is a no-op; a different
    definition under a name already taken is refused (durable_rules cannot replace a ruleset)."""
    if CATCH_ALL not in rules:
        raise EngineError(f"ruleset {name} has no catch-all rule {CATCH_ALL!r}")
    definition = json.dumps(dict(rules), sort_keys=True, ensure_ascii=False)
    with _lock:
        known = _definitions.get(name)
        if known is not None:
            if known != definition:
                raise EngineError(f"ruleset {name} is already registered with another definition")
            return
        try:
            handle = _core.create_ruleset(name, definition)
        except Exception as error:  # the C core raises its own error type with a numeric code
            raise EngineError(f"durable_rules refused ruleset {name}: {error}") from error
        _handles[name] = handle
        _definitions[name] = definition


def is_registered(name: str) -> bool:
    with _lock:
        return name in _handles


def fire(name: str, fact: Mapping[str, Any]) -> list[str]:
    """Assert `fact` in ruleset `name`, return the names of every rule that fired (catch-all excluded),
    and retract the fact again. The fact is evaluated in the reserved session, under the reserved id, whatever
    its `sid` and `id` say."""
    return fire_text(name, open_fact({k: v for k, v in fact.items() if k not in _RESERVED}) + "}")


def fire_text(name: str, text: str) -> list[str]:
    """Like `fire`, for a fact already encoded as a JSON object that starts with `FACT_START`."""
    if not text.startswith(FACT_START):
        raise EngineError(f"a fact for {name} must start with {FACT_START}")
    with _lock:
        handle = _handles.get(name)
        if handle is None:
            raise EngineError(f"ruleset {name} is not registered")
        fired: list[str] = []
        try:
            result = _core.assert_fact(handle, text)
            code = result[0]
            if code:
                if code == 1:
                    raise EngineError(
                        f"evaluation in {name} did not complete: not even the catch-all rule matched"
                    )
                raise EngineError(f"durable_rules did not take the fact in {name} (code {code})")
            # Collect every queued action of the session: one per rule that matched. A message is a JSON
            # object whose first key is the rule name: {"<rule>": {...}}.
            state = result[1]
            started = _core.start_action_for_state(handle, state)
            message = started[1] if started else None
            while message:
                fired.append(message[2 : message.index('"', 2)])
                message = _core.complete_and_start_action(handle, state)
        finally:
            _core.retract_fact(handle, text)
    if CATCH_ALL not in fired:
        raise EngineError(f"evaluation in {name} did not complete: the catch-all rule did not fire")
    fired.remove(CATCH_ALL)
    return fired
