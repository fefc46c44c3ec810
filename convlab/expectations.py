"""What a lesson's results must satisfy, declared in the lesson, so a bad run fails the build.

At the end of a lesson, after its results were recorded (:mod:`convlab.report`)::

    expect("test_accuracy").between(0.30, 0.55, profile="quick")
    expect("test_accuracy").between(0.40, 0.60, profile="full")
    expect("cnn_accuracy").at_least("dense_accuracy", plus=0.10)
    expect("parameters_by_formula").equals("parameters_in_keras")

Each line is checked at once against the results recorded so far, by name; a bound may be a
number or another result's name. An expectation for a profile other than the running one
(:func:`convlab.report.active_profile`) is skipped and says so. A broken expectation raises
:class:`ExpectationFailed`, which fails the lesson's cell, so the build fails and names the
lesson, the expectation, the value and the bound, and the run is not cached. An unknown result
name raises :class:`UnknownResult`: a typo never passes silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from convlab import report


class ExpectationFailed(AssertionError):
    """A recorded result broke a declared expectation."""


class UnknownResult(KeyError):
    """An expectation names a result that the lesson never recorded."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def _value(name: str) -> float:
    if name not in report.RESULTS:
        recorded = ", ".join(sorted(report.RESULTS)) or "none yet"
        raise UnknownResult(
            f"no result named {name!r} was recorded (recorded: {recorded}); record it with "
            "report.record or report.compare before the expectation"
        )
    return report.RESULTS[name]


def _show(name: str, value: float) -> str:
    return report.default_format(name, value).format(value)


class Expectation:
    """What result ``name`` must satisfy; built by :func:`expect`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _check(self, ok: bool, value: float, rule: str, profile: str | Iterable[str] | None
               ) -> None:
        active = report.active_profile()
        profiles = [profile] if isinstance(profile, str) else list(profile or [])
        applies = not profiles or active in profiles
        where = f" ({', '.join(profiles)} profile)" if profiles else ""
        text = f"{report.label(self.name)} {rule}{where}"
        status = ("passed" if ok else "failed") if applies else "skipped"
        report.append(report.Event.EXPECTATION, {"name": self.name, "rule": text, "status": status,
                                       "value": value})
        if status == "failed":
            raise ExpectationFailed(
                f"expectation failed under the {active} profile: {self.name} is "
                f"{_show(self.name, value)}, but it must be {rule}"
            )
        mark = {"passed": "✓ checked", "skipped": "· skipped (another profile)"}[status]
        print(f"{mark}: {text}" + (f", measured {_show(self.name, value)}" if applies else ""))

    def _bound(self, bound: float | str) -> tuple[float, str]:
        if isinstance(bound, str):
            value = _value(bound)
            return value, f"{report.label(bound)} ({_show(bound, value)})"
        return float(bound), _show(self.name, float(bound))

    def between(self, low: float | str, high: float | str, *,
                profile: str | Iterable[str] | None = None) -> None:
        """The result lies in [low, high]."""
        value = _value(self.name)
        lo, lo_text = self._bound(low)
        hi, hi_text = self._bound(high)
        self._check(lo <= value <= hi, value, f"between {lo_text} and {hi_text}", profile)

    def at_least(self, bound: float | str, *, plus: float = 0.0,
                 profile: str | Iterable[str] | None = None) -> None:
        """The result is at least ``bound`` (+ ``plus``, e.g. 0.10 for ten points more)."""
        value = _value(self.name)
        b, text = self._bound(bound)
        margin = f" + {_show(self.name, plus)}" if plus else ""
        self._check(value >= b + plus, value, f"at least {text}{margin}", profile)

    def at_most(self, bound: float | str, *, profile: str | Iterable[str] | None = None
                ) -> None:
        """The result is at most ``bound``."""
        value = _value(self.name)
        b, text = self._bound(bound)
        self._check(value <= b, value, f"at most {text}", profile)

    def equals(self, other: float | str, *, tolerance: float = 0.0,
               profile: str | Iterable[str] | None = None) -> None:
        """The result equals ``other`` (a number or a result's name), within ``tolerance``."""
        value = _value(self.name)
        b, text = self._bound(other)
        self._check(math.isclose(value, b, rel_tol=0, abs_tol=tolerance), value,
                    f"equal to {text}", profile)


def expect(name: str) -> Expectation:
    """Start an expectation about the recorded result ``name``."""
    return Expectation(name)
