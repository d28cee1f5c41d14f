"""``manage.py directory_export FILE``: export the whole organisation to FILE.xlsx, FILE.zip or a folder of CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengtong.platform.directory import sync


class Command(BaseCommand):
    help = "Export departments, posts, people and memberships to FILE.xlsx, FILE.zip (CSV files) or a folder (CSV files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = sync.format_of(path)
        if fmt not in sync.FORMATS:
            raise CommandError(f"{path}: name an .xlsx or .zip file, or a folder")
        if fmt == "dir":
            sync.export(None, path, fmt)
        else:
            with path.open("wb") as target:
                sync.export(None, target, fmt)
        self.stdout.write(self.style.SUCCESS(f"Exported to {path}."))
