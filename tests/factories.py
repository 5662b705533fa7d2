"""Build knowledge directories for tests: small, known content, written as editors write it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

REVIEWED = dt.date(2026, 11, 1)


def entry(entry_id: str, question: str, variants: list[str], answer: str = "", **extra: Any) -> dict[str, Any]:
    """Return one FAQ entry as it stands in a YAML file (variants padded to the minimum of 4)."""
    padded = [*variants, *[f"{question.rstrip('?')} {n}" for n in range(4 - len(variants))]]
    return {
        "id": entry_id,
        "question": question,
        "variants": padded,
        "answer": answer or f"Câu trả lời cho: {question}\n\n**Bạn cần làm gì:** hỏi UBND xã.",
        "sources": [{"document": "Nghị định 07/2021/NĐ-CP", "title": "Chuẩn nghèo đa chiều", "article": "Điều 3"}],
        "reviewed": REVIEWED,
        **extra,
    }


def write_knowledge(
    directory: Path,
    topics: dict[str, list[dict[str, Any]]],
    synonyms: dict[str, dict[str, str]] | None = None,
    smalltalk: dict[str, Any] | None = None,
) -> Path:
    """Write FAQ files, synonyms and small talk under a directory and return it."""
    (directory / "faq").mkdir(parents=True, exist_ok=True)
    for topic, entries in topics.items():
        content = {"topic": topic, "title": topic.replace("-", " ").capitalize(), "entries": entries}
        (directory / "faq" / f"{topic}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    (directory / "synonyms.yaml").write_text(yaml.safe_dump(synonyms or {}, allow_unicode=True), "utf-8")
    small = smalltalk or {"intents": {"greeting": ["xin chào", "alo"], "thanks": ["cảm ơn"]}, "fillers": ["ạ"]}
    (directory / "smalltalk.yaml").write_text(yaml.safe_dump(small, allow_unicode=True), "utf-8")
    return directory


MINI_TOPICS: dict[str, list[dict[str, Any]]] = {
    "chuan-ngheo": [
        entry(
            "chuan-ngheo-2026",
            "Chuẩn nghèo về thu nhập năm 2026 là bao nhiêu?",
            [
                "Thu nhập bao nhiêu thì được tính là hộ nghèo?",
                "muc thu nhap ho ngheo la bao nhieu",
                "Mỗi người kiếm dưới bao nhiêu tiền một tháng thì là nghèo?",
            ],
            answer="Năm 2026: **1.500.000 đồng** ở nông thôn, **2.000.000 đồng** ở thành thị.",
            valid_until=dt.date(2026, 12, 31),
            tags=["chuẩn nghèo", "thu nhập"],
        ),
        entry(
            "chuan-ngheo-2027",
            "Chuẩn nghèo về thu nhập từ năm 2027 là bao nhiêu?",
            [
                "Thu nhập bao nhiêu thì được tính là hộ nghèo?",
                "muc thu nhap ho ngheo la bao nhieu",
                "Mỗi người kiếm dưới bao nhiêu tiền một tháng thì là nghèo?",
            ],
            answer="Từ 2027: **2.200.000 đồng** ở nông thôn, **2.800.000 đồng** ở đô thị.",
            valid_from=dt.date(2027, 1, 1),
            valid_until=dt.date(2030, 12, 31),
            supersedes="chuan-ngheo-2026",
            change_summary="chuẩn thu nhập tăng lên 2.200.000 đồng ở nông thôn và 2.800.000 đồng ở đô thị.",
            tags=["chuẩn nghèo", "thu nhập"],
        ),
    ],
    "vay-von": [
        entry(
            "vay-von-lai-suat",
            "Hộ nghèo vay vốn Ngân hàng Chính sách xã hội với lãi suất bao nhiêu?",
            [
                "Lãi suất cho vay hộ nghèo là mấy phần trăm?",
                "vay tien ngan hang chinh sach xa hoi lai bao nhieu",
                "Ngân hàng chính sách cho hộ nghèo vay lãi thế nào?",
            ],
            related=["vay-von-muc-toi-da"],
        ),
        entry(
            "vay-von-muc-toi-da",
            "Hộ nghèo được vay tối đa bao nhiêu tiền?",
            [
                "Được vay nhiều nhất là bao nhiêu?",
                "ho ngheo vay toi da bao nhieu tien",
                "Mức vay cao nhất cho hộ nghèo",
            ],
        ),
    ],
    "ha-tang": [
        entry(
            "lam-duong",
            "Làm đường vào thôn có được Nhà nước hỗ trợ không?",
            ["Xây đường bê tông vào thôn ai chi tiền?", "lam duong vao thon co duoc ho tro khong", "Đường liên thôn"],
        ),
        entry(
            "duong-tinh",
            "Người dương tính với bệnh lao có được hỗ trợ không?",
            ["Bị dương tính lao được giúp gì?", "duong tinh lao co duoc ho tro", "Xét nghiệm dương tính"],
        ),
    ],
}

MINI_SYNONYMS = {
    "viet_tat": {"nhcsxh": "ngân hàng chính sách xã hội", "bhyt": "bảo hiểm y tế"},
    "teencode": {"ko": "không", "dc": "được", "bn": "bao nhiêu"},
}


def write_mini_knowledge(directory: Path) -> Path:
    """Write the small known base the engine tests reason about."""
    return write_knowledge(directory, MINI_TOPICS, MINI_SYNONYMS)
