"""The topics the citizens' channels file tickets under, and the names officials read for them.

Officials may enter tickets with topics of their own (a phone call about roads); those are shown
as they were typed.
"""

from __future__ import annotations

POOR_LIST = "danh-sach-ho-ngheo"  # a complaint about who is on the poor-household list
SUPPORT_DELIVERY = "thuc-hien-ho-tro"  # a complaint about how support is delivered
REVIEW_REQUEST = "de-nghi-ra-soat"  # a household's request to be reviewed, after the self-check

TOPIC_LABELS = {
    POOR_LIST: "Danh sách hộ nghèo",
    SUPPORT_DELIVERY: "Thực hiện chính sách hỗ trợ",
    REVIEW_REQUEST: "Đề nghị rà soát hộ nghèo",
}
