from pathlib import Path

from knowledge.loader import Severity, load_knowledge

ENTRY = """\
topic: thu
title: Thử
entries:
  - id: mot
    question: Câu hỏi một là gì?
    variants: [một, hai, ba bốn, cau hoi mot]
    answer: Trả lời.
    sources:
      - document: Nghị định 07/2021/NĐ-CP
        title: Chuẩn nghèo
    reviewed: 2026-11-01
"""


def _write(directory: Path, text: str, name: str = "thu.yaml") -> Path:
    (directory / "faq").mkdir(parents=True, exist_ok=True)
    (directory / "faq" / name).write_text(text, encoding="utf-8")
    return directory


def test_mini_knowledge_loads_without_problems(mini_knowledge: Path) -> None:
    result = load_knowledge(mini_knowledge)
    assert result.problems == []
    assert len(result.base.entries) == 6
    assert result.base.topic_of["vay-von-lai-suat"] == "vay-von"


def test_missing_field_is_reported_at_the_entry_line(tmp_path: Path) -> None:
    result = load_knowledge(_write(tmp_path, ENTRY.replace("    answer: Trả lời.\n", "")))
    assert [(p.line, p.severity) for p in result.errors] == [(4, Severity.ERROR)]
    assert "answer" in result.errors[0].message
    assert result.base.entries == ()


def test_bad_field_value_is_reported_at_its_own_line(tmp_path: Path) -> None:
    result = load_knowledge(_write(tmp_path, ENTRY.replace("reviewed: 2026-11-01", "reviewed: hôm qua")))
    assert [p.line for p in result.errors] == [11]


def test_too_few_variants_and_no_folded_variant_are_errors(tmp_path: Path) -> None:
    result = load_knowledge(_write(tmp_path, ENTRY.replace("[một, hai, ba bốn, cau hoi mot]", "[một, hài, bà, bốn]")))
    assert any("without diacritics" in p.message for p in result.errors)
    result = load_knowledge(_write(tmp_path, ENTRY.replace("[một, hai, ba bốn, cau hoi mot]", "[mot]")))
    assert any(p.line == 6 and "variants" in p.message for p in result.errors)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    result = load_knowledge(_write(tmp_path, ENTRY.replace("    answer: Trả lời.", "    answer: [Trả lời.")))
    assert len(result.errors) == 1
    assert "not valid YAML" in result.errors[0].message
    assert result.errors[0].line >= 8


def test_duplicate_id_across_files_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, ENTRY)
    _write(tmp_path, ENTRY.replace("topic: thu", "topic: khac"), name="khac.yaml")
    result = load_knowledge(tmp_path)
    assert any("duplicate id 'mot'" in p.message and p.path.name == "thu.yaml" for p in result.errors)


def test_text_not_in_nfc_is_an_error(tmp_path: Path) -> None:
    nfd = "Câu hỏi một là gì?".encode().decode()
    import unicodedata

    result = load_knowledge(_write(tmp_path, ENTRY.replace(nfd, unicodedata.normalize("NFD", nfd))))
    assert any("not NFC" in p.message for p in result.errors)


def test_topic_must_match_file_name(tmp_path: Path) -> None:
    result = load_knowledge(_write(tmp_path, ENTRY, name="other.yaml"))
    assert any("differs from the file name" in p.message for p in result.errors)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    assert load_knowledge(tmp_path).errors
