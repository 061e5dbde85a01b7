"""One line of ``check``: what was checked, and pass, warn or fail with a sentence that says why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """``ok`` False fails ``check`` (exit 1 or 2); ``warning`` marks a passing line as a trap
    the user would not see (printed WARN, exit 0)."""

    name: str
    ok: bool
    detail: str
    warning: bool = False

    @property
    def word(self) -> str:
        """``PASS``, ``WARN`` or ``FAIL``."""
        if not self.ok:
            return "FAIL"
        return "WARN" if self.warning else "PASS"


def passed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, True, detail)


def failed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, False, detail)


def warned(name: str, detail: str) -> CheckResult:
    return CheckResult(name, True, detail, warning=True)
