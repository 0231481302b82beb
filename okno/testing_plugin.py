"""pytest plugin: under CI (``OKNO_CI_NO_SKIPS=1``) a skipped test fails the run.

An integration test that quietly skips (no browser, no PostgreSQL) proves nothing;
CI installs everything the suite needs, so a skip there is a defect.
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("OKNO_CI_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped:
        for report in skipped:
            reporter.write_line(f"SKIPPED IN CI (not allowed): {report.nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
