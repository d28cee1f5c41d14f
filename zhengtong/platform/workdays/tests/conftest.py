from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def year_2027_csv() -> bytes:
    """Invented dates for 2027 (the real notice is not out): 1 Jan and Monday 4 Jan off, Saturday 20 Feb worked."""
    return (FIXTURES / "year_2027_test.csv").read_bytes()


@pytest.fixture
def year_2027_json() -> bytes:
    return (FIXTURES / "year_2027_test.json").read_bytes()
