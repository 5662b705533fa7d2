"""The FAQ file format: one YAML file per topic, a list of entries in each.

See docs/editing-faq.md for the editors' guide; ``caunoi faq check`` enforces this schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.text import has_diacritics

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]

MIN_VARIANTS = 4  # and at least one typed without diacritics


class Source(BaseModel):
    """A legal or official document an answer rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: Text
    title: Text
    article: Text | None = None
    url: Url | None = None

    def citation(self) -> str:
        """Return the short citation shown under an answer: "Nghị định 07/2021/NĐ-CP, Điều 3"."""
        return f"{self.document}, {self.article}" if self.article else self.document


class Entry(BaseModel):
    """One question with its answer, the ways people ask it, and where the answer comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    question: Text
    variants: list[Text] = Field(min_length=MIN_VARIANTS)
    answer: Text
    sources: list[Source] = Field(min_length=1)
    reviewed: dt.date
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    supersedes: Slug | None = None
    change_summary: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError("valid_from is after valid_until")
        if self.supersedes and not self.change_summary:
            raise ValueError("change_summary is required when supersedes is set")
        if self.supersedes and not self.valid_from:
            raise ValueError("valid_from is required when supersedes is set")
        if all(has_diacritics(variant) for variant in self.variants):
            raise ValueError("at least one variant must be typed without diacritics")
        return self

    def citations(self) -> list[str]:
        """Return the distinct citations of the sources, in order ("Căn cứ: …")."""
        return list(dict.fromkeys(source.citation() for source in self.sources))

    def in_force(self, on: dt.date) -> bool:
        """Tell whether this answer is true on the given date."""
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_until and on > self.valid_until)


class TopicFile(BaseModel):
    """The content of one ``knowledge/faq/<topic>.yaml`` file."""

    model_config = ConfigDict(extra="forbid")

    topic: Slug
    title: Text
    entries: list[dict[str, object]] = Field(min_length=1)
