import pytest

import taxes.brackets


def pytest_addoption(parser):
    parser.addoption("--tax-year", type=int, default=2024, help="tax year of the default tables")


def pytest_configure(config):
    year = config.getoption("--tax-year")
    if year not in taxes.brackets.TABLES:
        raise pytest.UsageError(f"no tax tables for {year}")
    taxes.brackets.YEAR = year
