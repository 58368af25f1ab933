import sys


def pytest_terminal_summary(terminalreporter):
    fuzz = sys.modules.get("tests.fuzz.test_api_fuzz")
    if fuzz is not None and fuzz.totals:
        terminalreporter.write_line(fuzz.summary_line())
