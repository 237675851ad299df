"""Outcome scales: totals and bands at every boundary, hard flags, the PCL-5 cut-off, bad input."""

from __future__ import annotations

import json

import pytest

from groupkap.errors import BadInputError
from groupkap.protocol.scales import SCALES, FlagRule, Scale, pcl5_scale, score

SELF_HARM_FLAG = "PHQ-9 item 9 positive: self-harm thoughts — review before the session"


def answers_for(scale: Scale, total: int) -> list[int]:
    """Answers summing to `total`, filled from item 1 so the last items stay at 0.

    Keeping PHQ-9 item 9 at 0 means band tests are not mixed up with the self-harm flag.
    """
    answers = []
    for _ in range(scale.items):
        value = min(scale.item_max, total)
        answers.append(value)
        total -= value
    assert total == 0, "total out of reach for this scale"
    return answers


@pytest.mark.parametrize(
    ("name", "total", "band"),
    [
        ("PHQ-9", 0, "minimal"),
        ("PHQ-9", 4, "minimal"),
        ("PHQ-9", 5, "mild"),
        ("PHQ-9", 9, "mild"),
        ("PHQ-9", 10, "moderate"),
        ("PHQ-9", 14, "moderate"),
        ("PHQ-9", 15, "moderately severe"),
        ("PHQ-9", 19, "moderately severe"),
        ("PHQ-9", 20, "severe"),
        ("PHQ-9", 24, "severe"),
        ("GAD-7", 0, "minimal"),
        ("GAD-7", 4, "minimal"),
        ("GAD-7", 5, "mild"),
        ("GAD-7", 9, "mild"),
        ("GAD-7", 10, "moderate"),
        ("GAD-7", 14, "moderate"),
        ("GAD-7", 15, "severe"),
        ("GAD-7", 21, "severe"),
        ("PCL-5", 0, "below cut-off"),
        ("PCL-5", 32, "below cut-off"),
        ("PCL-5", 33, "probable PTSD"),
        ("PCL-5", 80, "probable PTSD"),
    ],
)
def test_total_and_band_at_each_boundary(name, total, band):
    answers = answers_for(SCALES[name], total)
    result = score(name, answers)
    assert result.total == total
    assert result.band == band
    assert result.answers == tuple(answers)
    if name != "PCL-5":
        assert result.flags == ()


def test_phq9_maximum_is_severe_and_flagged():
    result = score("PHQ-9", [3] * 9)
    assert (result.total, result.band) == (27, "severe")
    assert result.flags == (SELF_HARM_FLAG,)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_positive_flags_even_when_total_is_minimal(item9):
    result = score("PHQ-9", [0] * 8 + [item9])
    assert result.band == "minimal"
    assert result.flags == (SELF_HARM_FLAG,)


def test_phq9_item9_zero_gives_no_flag_even_when_severe():
    result = score("PHQ-9", [3] * 8 + [0])
    assert (result.total, result.band, result.flags) == (24, "severe", ())


def test_gad7_and_phq9_have_no_cutoff():
    assert score("GAD-7", [0] * 7).probable is None
    assert score("PHQ-9", [0] * 9).probable is None


def test_pcl5_default_cutoff_is_33():
    below = score("PCL-5", answers_for(SCALES["PCL-5"], 32))
    at = score("PCL-5", answers_for(SCALES["PCL-5"], 33))
    assert SCALES["PCL-5"].cutoff == 33
    assert (below.probable, below.flags) == (False, ())
    assert at.probable is True
    assert at.flags == ("PCL-5 at or above cut-off 33: probable PTSD",)


def test_pcl5_custom_cutoff_31():
    clinic = {**SCALES, "PCL-5": pcl5_scale(cutoff=31)}
    pcl5 = clinic["PCL-5"]
    assert score("PCL-5", answers_for(pcl5, 30), scales=clinic).probable is False
    result = score("PCL-5", answers_for(pcl5, 31), scales=clinic)
    assert (result.probable, result.band) == (True, "probable PTSD")
    assert result.flags == ("PCL-5 at or above cut-off 31: probable PTSD",)
    assert result.event_data()["cutoff"] == 31
    # The shared registry is untouched by a clinic's variant.
    assert SCALES["PCL-5"].cutoff == 33


@pytest.mark.parametrize("cutoff", [-1, 81, 32.5, True, "33", None])
def test_pcl5_cutoff_is_validated(cutoff):
    with pytest.raises(BadInputError, match="PCL-5 cut-off must be a whole number 0–80"):
        pcl5_scale(cutoff=cutoff)


def test_pcl5_cutoff_at_the_ends_of_the_range():
    assert score("PCL-5", [0] * 20, scales={"PCL-5": pcl5_scale(0)}).probable is True
    assert score("PCL-5", [4] * 19 + [3], scales={"PCL-5": pcl5_scale(80)}).probable is False


def test_answers_as_mapping_score_like_a_list():
    as_list = [1, 0, 2, 3, 0, 1, 0, 0, 1]
    as_map = {n: v for n, v in enumerate(as_list, start=1)}
    assert score("PHQ-9", as_map) == score("PHQ-9", as_list)


def test_short_list_names_the_missing_item():
    with pytest.raises(BadInputError) as caught:
        score("PHQ-9", [0] * 8)
    assert str(caught.value) == "PHQ-9 needs 9 answers, got 8: item 9 is missing"


def test_mapping_names_every_missing_item():
    answers = {n: 0 for n in range(1, 8) if n not in (2, 5)}
    with pytest.raises(BadInputError) as caught:
        score("GAD-7", answers)
    assert str(caught.value) == "GAD-7 needs 7 answers, got 5: items 2, 5 are missing"


def test_mapping_with_unknown_item_numbers_is_refused():
    answers = {n: 0 for n in range(0, 10)}
    with pytest.raises(BadInputError, match=r"PHQ-9 has items 1–9; unknown item numbers: 0"):
        score("PHQ-9", answers)


def test_too_many_answers_is_refused():
    with pytest.raises(BadInputError, match="GAD-7 needs 7 answers, got 8"):
        score("GAD-7", [0] * 8)


@pytest.mark.parametrize(
    ("name", "item", "value", "allowed"),
    [
        ("PHQ-9", 3, 4, "0–3"),
        ("PHQ-9", 9, -1, "0–3"),
        ("GAD-7", 7, 4, "0–3"),
        ("PCL-5", 12, 5, "0–4"),
    ],
)
def test_out_of_range_answer_names_item_and_range(name, item, value, allowed):
    answers = [0] * SCALES[name].items
    answers[item - 1] = value
    with pytest.raises(BadInputError) as caught:
        score(name, answers)
    assert str(caught.value) == (
        f"{name} item {item} is {value}, outside the allowed range {allowed}"
    )


@pytest.mark.parametrize("value", [1.5, 2.0, True, None, "2"])
def test_non_integer_answer_is_refused(value):
    answers = [0] * 9
    answers[4] = value
    with pytest.raises(BadInputError) as caught:
        score("PHQ-9", answers)
    assert str(caught.value) == f"PHQ-9 item 5 is {value!r}, not a whole number 0–3"


def test_every_bad_item_is_reported_at_once():
    with pytest.raises(BadInputError) as caught:
        score("GAD-7", {1: 0, 2: 9, 3: 0, 4: 0, 5: 1.5, 6: 0, 7: 0})
    message = str(caught.value)
    assert "item 2 is 9, outside the allowed range 0–3" in message
    assert "item 5 is 1.5, not a whole number 0–3" in message


@pytest.mark.parametrize("answers", ["000000000", b"000000000", 27, None])
def test_answers_that_are_not_a_list_or_mapping_are_refused(answers):
    with pytest.raises(BadInputError, match="PHQ-9 answers must be a list of 9 whole numbers"):
        score("PHQ-9", answers)


@pytest.mark.parametrize("name", ["PHQ9", "phq-9", "BDI-II", ""])
def test_unknown_scale_lists_the_known_ones(name):
    with pytest.raises(BadInputError) as caught:
        score(name, [0] * 9)
    assert str(caught.value) == (f"Unknown scale {name!r}; known scales: PHQ-9, GAD-7, PCL-5")


def test_registry_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        SCALES["PHQ-9"] = SCALES["GAD-7"]  # type: ignore[index]


def test_malformed_scale_is_refused_when_built():
    with pytest.raises(BadInputError, match="bands must ascend"):
        Scale("X", 2, 0, 3, ((0, "low"), (0, "also low")))
    with pytest.raises(BadInputError, match="flag names item 3"):
        Scale("X", 2, 0, 3, ((0, "low"),), flags=(FlagRule("f", item=3),))


@pytest.mark.parametrize("name", list(SCALES))
def test_event_data_is_plain_json(name):
    scale = SCALES[name]
    answers = [scale.item_max] * scale.items
    data = score(name, answers).event_data()
    assert json.loads(json.dumps(data)) == data
    assert data["scale"] == name
    assert data["answers"] == answers
    assert data["total"] == scale.highest
    assert set(data) == {"scale", "answers", "total", "band", "flags", "cutoff"}


def test_event_data_carries_numbers_not_item_text():
    data = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 2]).event_data()
    assert data == {
        "scale": "PHQ-9",
        "answers": [0, 0, 0, 0, 0, 0, 0, 0, 2],
        "total": 2,
        "band": "minimal",
        "flags": [SELF_HARM_FLAG],
        "cutoff": None,
    }
    # Licensed wording never appears: answers are numbers, and the only text is our own.
    text = json.dumps(data, ensure_ascii=False).lower()
    for phrase in (
        "little interest",
        "feeling down",
        "better off dead",
        "hurting yourself",
        "nervous, anxious",
        "disturbing memories",
    ):
        assert phrase not in text
