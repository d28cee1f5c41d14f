"""The list shows 20 at a time, with "More" while there is more."""

from typing import Any

from zhengtong.platform.todo import services
from zhengtong.platform.todo.models import IntegratedSystem


def test_more_shows_the_next_twenty(people: Any, client_for: Any, sysadmin: Any) -> None:
    application, _token = services.create_system(acting_user=sysadmin, name="档案系统", code="archive",
                                                      base_url="https://archive.example.gov.cn", scopes=[IntegratedSystem.Scope.TODOS])
    for number in range(25):
        services.push_todo(system=application, external_id=f"t{number}", username="ann", title=f"待整理案卷 {number:02d}",
                           link=f"https://archive.example.gov.cn/files/{number}")
    browser = client_for(people["ann"])
    first = browser.get("/").content.decode()
    assert first.count("待整理案卷") == 20
    assert "pages=2" in first
    second = browser.get("/?pages=2").content.decode()
    assert second.count("待整理案卷") == 25
    assert "pages=3" not in second
    assert browser.get("/?pages=abc").status_code == 200
