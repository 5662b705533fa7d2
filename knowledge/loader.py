"""Read the knowledge files and report every problem with its file and line.

Problems are data, not exceptions: the editors' check lists them all at once, and the
running service refuses to swap in a base that has errors (it keeps the old one).
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.schema import Entry, TopicFile

FAQ_FOLDER = "faq"
SYNONYMS_FILE = "synonyms.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
DEFAULT_DIRECTORY = Path(__file__).resolve().parent


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a knowledge file, located for the editor."""

    severity: Severity
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where an entry and each of its fields stand in the files."""

    path: Path
    line: int
    field_lines: Mapping[str, int]
    item_lines: Mapping[str, tuple[int, ...]]

    def line_of(self, field_name: str, item: int | None = None) -> int:
        """Return the line of a field (or of one item of a list field), else the entry's."""
        if item is not None and item < len(self.item_lines.get(field_name, ())):
            return self.item_lines[field_name][item]
        return self.field_lines.get(field_name, self.line)


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    title: str
    path: Path


@dataclass(frozen=True)
class SmallTalk:
    """Greetings, thanks and filler words: what is not a question about policy."""

    phrases: Mapping[str, tuple[str, ...]]  # intent -> phrases
    fillers: frozenset[str]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the answer engine serves from, as loaded from one directory."""

    entries: tuple[Entry, ...]
    topic_of: Mapping[str, str]  # entry id -> topic slug
    topics: Mapping[str, Topic]
    locations: Mapping[str, Location]
    synonyms: Mapping[str, str]
    smalltalk: SmallTalk

    by_id: Mapping[str, Entry] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {entry.id: entry for entry in self.entries})


@dataclass
class LoadResult:
    base: KnowledgeBase
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    lines = {}
    items: dict[str, tuple[int, ...]] = {}
    for key_node, value_node in node.value:
        lines[str(key_node.value)] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.SequenceNode):
            items[str(key_node.value)] = tuple(n.start_mark.line + 1 for n in value_node.value)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = lines
    mapping["__items__"] = items
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_META_KEYS = ("__line__", "__lines__", "__items__")


def _strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_meta(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [_strip_meta(v) for v in value]
    return value


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(Severity.ERROR, path, 1, f"cannot read file: {error}"))
        return None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(Problem(Severity.ERROR, path, line, f"not valid YAML: {error}"))
        return None


def _walk_strings(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield prefix, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _META_KEYS:
                yield from _walk_strings(item, key if not prefix else f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item, prefix)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _location(path: Path, raw: dict[str, Any]) -> Location:
    return Location(path, raw.get("__line__", 1), raw.get("__lines__", {}), raw.get("__items__", {}))


def _validation_problems(error: ValidationError, path: Path, where: Location) -> Iterator[Problem]:
    for detail in error.errors():
        loc = detail["loc"]
        field_name = str(loc[0]) if loc else ""
        item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        label = ".".join(str(part) for part in loc) or "entry"
        message = detail["msg"].removeprefix("Value error, ")
        yield Problem(Severity.ERROR, path, where.line_of(field_name, item), f"{label}: {message}")


def load_knowledge(directory: Path = DEFAULT_DIRECTORY) -> LoadResult:
    """Load FAQ files, synonyms and small talk from a directory, collecting problems."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    topic_of: dict[str, str] = {}
    topics: dict[str, Topic] = {}
    locations: dict[str, Location] = {}
    faq_dir = directory / FAQ_FOLDER
    paths = sorted(faq_dir.glob("*.yaml"))
    if not paths:
        problems.append(Problem(Severity.ERROR, faq_dir, 1, "no FAQ files (*.yaml) found"))
    for path in paths:
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(Severity.ERROR, path, 1, "a FAQ file must be a mapping"))
            continue
        for key, text in _walk_strings(raw):
            if not unicodedata.is_normalized("NFC", text):
                problems.append(Problem(Severity.ERROR, path, raw.get("__line__", 1), f"{key}: text is not NFC"))
        try:
            topic_file = TopicFile.model_validate({k: v for k, v in raw.items() if k not in _META_KEYS})
        except ValidationError as error:
            problems.extend(_validation_problems(error, path, _location(path, raw)))
            continue
        if topic_file.topic != path.stem:
            problems.append(
                Problem(
                    Severity.ERROR,
                    path,
                    raw["__lines__"].get("topic", 1),
                    f"topic '{topic_file.topic}' differs from the file name '{path.stem}'",
                )
            )
        topics[topic_file.topic] = Topic(topic_file.topic, topic_file.title, path)
        for raw_entry in topic_file.entries:
            where = _location(path, raw_entry)
            try:
                entry = Entry.model_validate(_nfc(_strip_meta(raw_entry)))
            except ValidationError as error:
                problems.extend(_validation_problems(error, path, where))
                continue
            if entry.id in locations:
                first = locations[entry.id]
                problems.append(
                    Problem(
                        Severity.ERROR,
                        path,
                        where.line_of("id"),
                        f"duplicate id '{entry.id}' (first at {first.path.name}:{first.line})",
                    )
                )
                continue
            entries.append(entry)
            topic_of[entry.id] = topic_file.topic
            locations[entry.id] = where
    synonyms = _load_synonyms(directory / SYNONYMS_FILE, problems)
    smalltalk = _load_smalltalk(directory / SMALLTALK_FILE, problems)
    base = KnowledgeBase(tuple(entries), topic_of, topics, locations, synonyms, smalltalk)
    return LoadResult(base, problems)


def _load_synonyms(path: Path, problems: list[Problem]) -> dict[str, str]:
    raw = _read_yaml(path, problems) if path.exists() else None  # the file is optional
    if raw is None:
        return {}
    synonyms: dict[str, str] = {}
    if not isinstance(raw, dict):
        problems.append(Problem(Severity.ERROR, path, 1, "synonyms must be a mapping of groups"))
        return synonyms
    for group, mapping in _strip_meta(raw).items():
        if not isinstance(mapping, dict):
            line = raw["__lines__"].get(group, 1)
            problems.append(Problem(Severity.ERROR, path, line, f"{group}: expected phrase: meaning"))
            continue
        for phrase, meaning in mapping.items():
            if not isinstance(meaning, str) or not str(phrase).strip():
                problems.append(
                    Problem(Severity.ERROR, path, raw["__lines__"].get(group, 1), f"{group}.{phrase}: expected text")
                )
                continue
            synonyms[unicodedata.normalize("NFC", str(phrase))] = unicodedata.normalize("NFC", meaning)
    return synonyms


def _load_smalltalk(path: Path, problems: list[Problem]) -> SmallTalk:
    raw = _read_yaml(path, problems) if path.exists() else None  # the file is optional
    empty = SmallTalk({}, frozenset())
    if raw is None:
        return empty
    if not isinstance(raw, dict):
        problems.append(Problem(Severity.ERROR, path, 1, "small talk must be a mapping"))
        return empty
    data = _strip_meta(raw)
    intents = data.get("intents") or {}
    fillers = data.get("fillers") or []
    if not isinstance(intents, dict) or not isinstance(fillers, list):
        problems.append(Problem(Severity.ERROR, path, 1, "expected 'intents' mapping and 'fillers' list"))
        return empty
    phrases = {str(name): tuple(str(p) for p in values or ()) for name, values in intents.items()}
    return SmallTalk(phrases, frozenset(str(f) for f in fillers))
