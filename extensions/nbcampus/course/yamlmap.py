"""YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[Any, ...]


@dataclass
class LineMap:
    """Line numbers (1-based) of the values in a YAML document, keyed by their path."""

    lines: dict[Path_, int] = field(default_factory=dict)
    #: keys written twice in one mapping: (path of the second one, its line)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _SafeLineLoader(yaml.SafeLoader):
    """A SafeLoader (no arbitrary objects) that keeps the nodes around for line lookup."""


# dates stay text (``start: 2027-03-01``): the schema and the service read ISO strings
_SafeLineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _walk(node: yaml.Node, path: Path_, found: LineMap) -> None:
    out = found.lines
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key: construct_document refuses it with its line
            key = key_node.value
            if key in seen:
                found.duplicates.append((path + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            _walk(value_node, path + (key,), found)
            # the key's line is more useful than the value's for a mapping entry
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), found)


def load_yaml_with_lines(text: str) -> tuple[Any, LineMap]:
    """Parse ``text`` safely; return the data and the line of every path in it.

    Raises ``yaml.YAMLError`` (with a ``problem_mark``) on a syntax error.
    """
    loader = _SafeLineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap({(): 1})
        found = LineMap()
        _walk(node, (), found)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, found
