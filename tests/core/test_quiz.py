"""QuizSpec, per-trainee order, aliases and P(metastases)."""

from __future__ import annotations

import itertools

import pytest

from bonescan_tutor.core.answers import CERTAINTY_LEVELS, Answer, p_metastases
from bonescan_tutor.core.cases import Diagnosis, Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import ALL_TOOLS, QuizMode, QuizSpec, Tool, alias, case_order

KEYS20 = tuple(str(n) for n in range(1, 21))
NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elena", "Fatima", "Gustavo", "Hana", "Ivan", "Julia")


def spec(keys: tuple[str, ...] = KEYS20, **kw: object) -> QuizSpec:
    fields: dict[str, object] = {"id": "q1", "title": "Week 1", "mode": QuizMode.PRACTICE}
    fields.update(kw)
    return QuizSpec(case_keys=keys, **fields)  # type: ignore[arg-type]


# -- case order ----------------------------------------------------------------------


def test_order_is_a_permutation_and_deterministic() -> None:
    s = spec(seed=7)
    order = case_order(s, "Ana")
    assert sorted(order) == sorted(KEYS20)
    assert case_order(s, "Ana") == order
    assert case_order(spec(seed=7), "Ana") == order


def test_order_is_pinned_across_versions() -> None:
    """Stored sessions are restored by recomputing the order: it must never change."""
    assert case_order(spec(keys=tuple("abcdefgh"), seed=42), "Ana") == tuple("haegfbcd")


def test_order_ignores_case_and_spaces_in_the_name() -> None:
    s = spec(seed=3)
    assert case_order(s, "  ana ") == case_order(s, "ANA") == case_order(s, "Ana")


def test_trainees_get_different_orders() -> None:
    s = spec(seed=11)
    orders = {case_order(s, name) for name in NAMES}
    assert len(orders) == len(NAMES)


def test_five_cases_orders_differ_between_most_trainees() -> None:
    s = spec(keys=("1", "2", "3", "4", "5"), seed=5)
    orders = [case_order(s, name) for name in NAMES]
    same = sum(a == b for a, b in itertools.combinations(orders, 2))
    assert same <= 2  # 45 pairs out of 119 possible non-key orders


def test_seed_changes_the_order() -> None:
    assert case_order(spec(seed=1), "Ana") != case_order(spec(seed=2), "Ana")


@pytest.mark.parametrize("n", [2, 3, 5, 20])
def test_order_is_never_the_key_order(n: int) -> None:
    keys = tuple(str(k) for k in range(1, n + 1))
    for seed in range(60):
        for name in NAMES[:3]:
            assert case_order(spec(keys=keys, seed=seed), name) != keys


def test_two_cases_always_swap() -> None:
    """The shuffle returns the key order half the time; the rotation fixes it."""
    for seed in range(30):
        assert case_order(spec(keys=("1", "2"), seed=seed), "Ana") == ("2", "1")


def test_no_shuffle_keeps_key_order_and_one_case_is_itself() -> None:
    assert case_order(spec(shuffle=False), "Ana") == KEYS20
    assert case_order(spec(keys=("9",)), "Ana") == ("9",)


# -- alias -----------------------------------------------------------------------------


def test_alias() -> None:
    assert alias(7, 20) == "Case 7 of 20"
    assert alias(1, 1) == "Case 1 of 1"
    for bad in (0, 21, -1):
        with pytest.raises(UsageError, match=r"outside 1\.\.20"):
            alias(bad, 20)


# -- spec ------------------------------------------------------------------------------


def test_defaults_validate() -> None:
    s = spec()
    s.validate()
    assert s.shuffle and s.certainty_required and s.show_clinical
    assert s.tools_allowed == ALL_TOOLS


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"keys": ()}, "has no cases"),
        ({"keys": ("1", "2", "1", "3", "3")}, r"case\(s\) 1, 3 more than once"),
        ({"keys": ("1", " ")}, "blank case key"),
        ({"id": " "}, "has no id"),
        ({"title": ""}, "has no title"),
        ({"time_limit_per_case_s": 0}, "per-case time limit must be a positive"),
        ({"time_limit_per_case_s": -5.0}, "per-case time limit"),
        ({"time_limit_total_s": float("nan")}, "total time limit must be a positive"),
        ({"time_limit_total_s": float("inf")}, "total time limit"),
        ({"mode": "exam"}, "mode must be"),
        ({"tools_allowed": frozenset({"zoom"})}, "unknown viewer tool"),
    ],
)
def test_validate_rejects(kw: dict[str, object], message: str) -> None:
    keys = kw.pop("keys", KEYS20)
    with pytest.raises(UsageError, match=message):
        spec(keys=keys, **kw).validate()  # type: ignore[arg-type]


def test_dict_round_trip() -> None:
    s = spec(
        mode=QuizMode.EXAM,
        instructions="Read both views.",
        seed=99,
        shuffle=False,
        time_limit_per_case_s=45.0,
        time_limit_total_s=600.0,
        show_clinical=False,
        tools_allowed=frozenset({Tool.WINDOWING, Tool.INVERT}),
        certainty_required=False,
    )
    data = s.to_dict()
    assert data["tools_allowed"] == ["invert", "windowing"]
    assert QuizSpec.from_dict(data) == s


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": None}, "lacks the field 'title'"),
        ({"mode": "homework"}, "bad value"),
        ({"tools_allowed": ["laser"]}, "bad value"),
        ({"time_limit_total_s": [1]}, "bad value"),
        ({"case_keys": []}, "has no cases"),
    ],
)
def test_from_dict_rejects(change: dict[str, object], message: str) -> None:
    data = spec().to_dict()
    for k, v in change.items():
        if v is None:
            del data[k]
        else:
            data[k] = v
    with pytest.raises(UsageError, match=message):
        QuizSpec.from_dict(data)


def test_create_gives_fresh_ids_and_validates() -> None:
    a = QuizSpec.create("Week 2", ("1", "2"), QuizMode.EXAM)
    b = QuizSpec.create("Week 2", ("1", "2"), QuizMode.EXAM, seed=5)
    assert a.id != b.id and len(a.id) == 32
    assert b.seed == 5
    with pytest.raises(UsageError):
        QuizSpec.create("Week 2", (), QuizMode.EXAM)


# -- probabilities ---------------------------------------------------------------------


@pytest.mark.parametrize("c", CERTAINTY_LEVELS)
def test_p_metastases(c: int) -> None:
    assert p_metastases(Diagnosis.METASTASES, c) == pytest.approx(c / 100)
    assert p_metastases(Diagnosis.NO_METASTASES, c) == pytest.approx(1 - c / 100)


def test_p_metastases_without_certainty_is_a_hard_call() -> None:
    assert p_metastases(Diagnosis.METASTASES, None) == 1.0
    assert p_metastases(Diagnosis.NO_METASTASES, None) == 0.0


def test_attempt_probability_and_timeout() -> None:
    a = Answer("3", 1, Diagnosis.NO_METASTASES, 80, 0.0, 5.0, 5.0)
    assert a.p_metastases == pytest.approx(0.2)
    t = Answer("3", 1, None, None, 0.0, 5.0, 5.0, timed_out=True)
    assert t.p_metastases is None
    assert a.marks == () and a.tools_used == frozenset()


def test_projection_is_the_case_model_one() -> None:
    a = Answer("3", 1, None, None, 0.0, 1.0, 1.0, marks=((Projection.ANTERIOR, 1.0, 2.0),))
    assert a.marks[0][0] is Projection.ANTERIOR


def test_mix_shortfall_names_what_is_left() -> None:
    from bonescan_tutor.core.quiz import mix_shortfall, natural_share
    from tests.storage.instructor_data import dataset

    ds = dataset(n_met=2, n_normal=8)
    assert natural_share(ds) == pytest.approx(0.2)
    assert mix_shortfall(ds, 10, balanced=False) is None
    no_positives = lambda c: c.diagnosis is not Diagnosis.METASTASES  # noqa: E731
    said = mix_shortfall(ds, 5, balanced=False, keep=no_positives)
    assert said is not None and "natural mix (20 % with metastases)" in said
    assert "0 with metastases and 8 without are left" in said
    assert mix_shortfall(ds, 4, balanced=True) is None
    assert "balanced mix" in (mix_shortfall(ds, 6, balanced=True) or "")


@pytest.mark.parametrize("c", CERTAINTY_LEVELS)
def test_p_metastases_is_one_rule_for_answers_and_scoring_arrays(c: int) -> None:
    """An answer's P(metastases) equals the one scoring computes from its coded arrays."""
    import numpy as np

    for decision in (Diagnosis.METASTASES, Diagnosis.NO_METASTASES):
        codes = np.array([1 if decision.is_positive else 0], dtype=np.int8)
        array = p_metastases(codes, np.array([c], dtype=np.int16))
        assert p_metastases(decision, c) == pytest.approx(float(array[0]))
        assert p_metastases(decision.is_positive, c) == p_metastases(decision, c)
