import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_read_by_the_code_is_documented():
    read = set()
    for path in (ROOT / "zhengtong").rglob("*.py"):
        read.update(re.findall(r'"(ZT_[A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"`(ZT_[A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")))
    assert read, "no ZT_ variables found: the scan is broken"
    assert sorted(read - documented) == []
