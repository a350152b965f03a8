"""YAML that remembers where everything is: the line of each mapping, key and entry.

Problems found in a checklist file are reported as `file:line: what is wrong. What to do.`
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from flask_babel import gettext as _


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a checklist file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InvalidChecklist(Exception):
    """A checklist file with problems; nothing of it was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line = 0
    key_lines: dict


class _Sequence(list):
    """A YAML sequence that remembers its line and the line of each entry."""

    line = 0
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """SafeLoader keeping line numbers; dates stay text so the file decides what they mean."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            duplicates.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    mapping.duplicate_keys = duplicates
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def read_yaml(text: str, filename: str):
    """The parsed YAML with line numbers; InvalidChecklist naming the line if it is unreadable."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidChecklist(
            [
                Problem(
                    filename,
                    line,
                    _(
                        "The YAML cannot be read: %(problem)s. Check the indentation and"
                        " quoting on this line.",
                        problem=error.problem or error,
                    ),
                )
            ]
        ) from error
    except yaml.YAMLError as error:
        raise InvalidChecklist(
            [Problem(filename, 1, _("The YAML cannot be read: %(problem)s.", problem=error))]
        ) from error
