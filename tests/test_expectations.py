"""convlab.expectations: what a lesson's results must satisfy, checked where the lesson says so."""

from __future__ import annotations

import pytest

from convlab import report, settings
from convlab.expectations import ExpectationFailed, UnknownResult, expect


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch, tmp_path):
    """No results recorded yet, a run folder listening, and no profile set (a lesson's own)."""
    monkeypatch.setattr(report, "RESULTS", {})
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(settings.PROFILE_ENV, raising=False)
    return tmp_path


def expectations(folder):
    return [(e["name"], e["status"]) for e in report.read(folder, report.Event.EXPECTATION)]


def test_between_with_numbers_passes_inside_and_fails_outside(fresh_run, capsys):
    report.record("test_accuracy", 0.42)
    expect("test_accuracy").between(0.40, 0.50)
    expect("test_accuracy").between(0.42, 0.42)  # the bounds belong to the range
    out = capsys.readouterr().out
    assert "✓ checked: test accuracy between 40.0% and 50.0%, measured 42.0%" in out
    with pytest.raises(ExpectationFailed) as failed:
        expect("test_accuracy").between(0.45, 0.60)
    assert str(failed.value) == ("expectation failed under the full profile: test_accuracy is "
                                 "42.0%, but it must be between 45.0% and 60.0%")
    assert expectations(fresh_run) == [("test_accuracy", "passed")] * 2 + [
        ("test_accuracy", "failed")]


def test_at_least_with_a_margin_and_at_most():
    report.record("cnn_accuracy", 0.60)
    report.record("dense_accuracy", 0.45)
    expect("cnn_accuracy").at_least("dense_accuracy", plus=0.10)
    expect("cnn_accuracy").at_most(0.60)
    with pytest.raises(ExpectationFailed, match=r"cnn_accuracy is 60\.0%, but it must be at "
                       r"least dense accuracy \(45\.0%\) \+ 20\.0%"):
        expect("cnn_accuracy").at_least("dense_accuracy", plus=0.20)
    with pytest.raises(ExpectationFailed, match=r"cnn_accuracy is 60\.0%, .* at most 59\.0%"):
        expect("cnn_accuracy").at_most(0.59)
    with pytest.raises(ExpectationFailed, match=r"dense_accuracy is 45\.0%, but it must be "
                       r"at least cnn accuracy \(60\.0%\)$"):
        expect("dense_accuracy").at_least("cnn_accuracy")  # the other way round fails


def test_equals_compares_results_by_name_within_a_tolerance():
    report.record("parameters_by_formula", 1_250_858)
    report.record("parameters_in_keras", 1_250_858)
    report.record("rounded_loss", 0.501)
    expect("parameters_by_formula").equals("parameters_in_keras")
    expect("rounded_loss").equals(0.5, tolerance=0.002)
    with pytest.raises(ExpectationFailed, match=r"rounded_loss is 0\.501, but it must be "
                       r"equal to 0\.5"):
        expect("rounded_loss").equals(0.5, tolerance=0.0005)
    report.record("parameters_in_keras", 1_250_859)
    with pytest.raises(ExpectationFailed, match="equal to parameters in keras"):
        expect("parameters_by_formula").equals("parameters_in_keras")


def test_another_profiles_expectation_is_skipped_and_recorded_so(fresh_run, monkeypatch,
                                                                 capsys):
    report.record("test_accuracy", 0.20)
    monkeypatch.setenv(settings.PROFILE_ENV, "quick")
    expect("test_accuracy").between(0.60, 0.70, profile="full")  # would fail under full
    expect("test_accuracy").between(0.10, 0.30, profile="quick")
    expect("test_accuracy").between(0.10, 0.30, profile=["quick", "full"])
    out = capsys.readouterr().out
    assert ("· skipped (another profile): test accuracy between 60.0% and 70.0% "
            "(full profile)") in out
    assert "✓ checked: test accuracy between 10.0% and 30.0% (quick, full profile)" in out
    assert expectations(fresh_run) == [("test_accuracy", "skipped"),
                                       ("test_accuracy", "passed"), ("test_accuracy", "passed")]
    with pytest.raises(ExpectationFailed, match="under the quick profile"):
        expect("test_accuracy").at_least(0.5, profile="quick")


def test_outside_a_build_the_full_expectations_are_checked(fresh_run, monkeypatch):
    monkeypatch.delenv(settings.RUN_DIR_ENV)
    report.record("test_accuracy", 0.20)
    expect("test_accuracy").between(0.60, 0.70, profile="quick")  # skipped
    with pytest.raises(ExpectationFailed, match="under the full profile"):
        expect("test_accuracy").between(0.60, 0.70, profile="full")
    assert not (fresh_run / report.RECORDS_FILE).exists(), "no build listens: nothing written"


def test_a_misspelt_result_name_is_an_error_not_a_pass():
    report.record("test_accuracy", 0.5)
    with pytest.raises(UnknownResult) as unknown:
        expect("test_acuracy").at_least(0.1)
    assert str(unknown.value).startswith(
        "no result named 'test_acuracy' was recorded (recorded: test_accuracy)")
    with pytest.raises(UnknownResult, match="no result named 'dense_accuracy'"):
        expect("test_accuracy").at_least("dense_accuracy")  # in a bound too
    assert isinstance(unknown.value, KeyError)


def test_each_check_records_its_rule_status_and_value(fresh_run):
    report.record("test_accuracy", 0.42)
    expect("test_accuracy").at_least(0.3, profile="full")
    event, = report.read(fresh_run, report.Event.EXPECTATION)
    assert event == {"kind": "expectation", "name": "test_accuracy", "status": "passed",
                     "rule": "test accuracy at least 30.0% (full profile)", "value": 0.42}
