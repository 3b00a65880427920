"""How large a policy may be: how many rule files, how many bytes each and together, how many entries.

An entry is something the loader builds: an item, a limit of an item, a parameter, a dated value of a
parameter. A real policy has about ten files of a few KiB and a few hundred entries; the defaults leave ten
times that room. The limits are checked while loading (`rules.loader.load_policy`), before the costly part
where they can be: the files are counted and measured before a byte is parsed, and each file's entries are
counted as soon as it is parsed, before the next file is. Parsing YAML is what takes the time and the memory,
and the bytes bound it. A version stored already is loaded without them (it was admitted when registered).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.model import SourceRef
from rules.source import MAX_FILE_BYTES, MappingNode, Node, SequenceNode


@dataclass(frozen=True, slots=True)
class SizeLimits:
    files: int = 50
    file_bytes: int = 256 * 1024  # at most MAX_FILE_BYTES, the format's own bound
    total_bytes: int = 512 * 1024
    entries: int = 5000

    def __post_init__(self) -> None:
        if min(self.files, self.file_bytes, self.total_bytes, self.entries) < 1:
            raise ValueError("every size limit is at least 1")
        if self.file_bytes > MAX_FILE_BYTES:
            raise ValueError(f"a rule file holds at most {kib(MAX_FILE_BYTES)}, whatever the limits")


DEFAULT_LIMITS = SizeLimits()


def kib(size: int) -> str:
    """A size as people read it: "256 KiB" (rounded up), or bytes below one KiB."""
    return f"{size} bytes" if size < 1024 else f"{-(-size // 1024)} KiB"


def too_many_files(count: int, limit: int) -> str:
    return f"the policy has {count} rule files; a policy has at most {limit}"


def entries_of(tree: Node) -> Iterator[SourceRef]:
    """Where each entry of one rule file is written: its parameters and their dated values, its items and
    their limits (as written, whether or not they turn out to be valid)."""
    if not isinstance(tree, MappingNode):
        return
    parameters = tree.get("parameters")
    for key, value in parameters.entries if isinstance(parameters, MappingNode) else ():
        yield key.ref
        values = value.get("values") if isinstance(value, MappingNode) else None
        if isinstance(values, MappingNode):
            yield from (day.ref for day, _ in values.entries)
    items = tree.get("items")
    for key, value in items.entries if isinstance(items, MappingNode) else ():
        yield key.ref
        limits = value.get("limits") if isinstance(value, MappingNode) else None
        if isinstance(limits, SequenceNode):
            yield from (limit.ref for limit in limits.items)
