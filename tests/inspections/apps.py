"""A throw-away app for the registry's test: it plugs in through its manifest and nothing else."""

from django.apps import AppConfig

from zhengtong.platform.registry import AppManifest, InPlaceAction, Tile


class InspectionsConfig(AppConfig):
    name = "tests.inspections"
    label = "inspections"
    verbose_name = "现场检查"
    manifest = AppManifest(
        key="inspections", label="现场检查", icon="apps", urls="tests.inspections.urls", url_prefix="apps/inspections/",
        api={"/inspections": "tests.inspections.api:router"},
        tiles=(Tile("inspections", "现场检查", "inspections:list", "apps", "staff.use_apps"),),
        permissions={"inspections.approve": "批准现场检查"},
        notice_categories={"inspection": "现场检查"},
        todos={"visit": "inspection"},
        actions=(InPlaceAction("visit", "confirm", "确认到场", "tests.inspections.views:confirm"),),
        jobs={"overdue inspections": "tests.inspections.views:remind_overdue"},
    )
