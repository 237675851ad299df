"""Form filling shared by the UI tests (importable: pytest puts tests/ui on the path)."""

from __future__ import annotations


def fill_ready_checklist(ready) -> None:
    """Fill every item of a Ready checklist dialog, as a nurse who has checked them."""
    f = ready.fields
    for label in ("consent is current", "fasting confirmed"):
        f[label].setChecked(True)
    f["ride home: name"].setText("Sam")
    f["ride home: phone"].setText("555-0101")
    f["intention recorded"].setText("to rest")
    f["supportive touch: yes or no"].setCurrentText("no")
    f["music choice or silence"].setText("silence")
