"""``manage.py directory_import FILE``: import the whole organisation (XLSX, zip of CSV files, or a folder of them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from zhengtong.platform.directory import sync


class Command(BaseCommand):
    help = ("Import departments, posts, people and memberships from FILE.xlsx, FILE.zip or a folder of CSV files. "
            "Every row is checked first; if any is bad, they are all listed and nothing is imported.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report what would change; change nothing.")
        parser.add_argument("--disable-missing", action="store_true",
                            help="Disable the people of the directory who are not in the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        fmt = sync.format_of(path)
        quiet = options["verbosity"] == 0

        def progress(total: int) -> tqdm:
            return tqdm(total=total, unit="rows", disable=quiet, file=self.stderr._out)

        if fmt == "dir":
            report = sync.import_file(None, path, fmt, dry_run=options["dry_run"], disable_missing=options["disable_missing"],
                                      progress=progress)
        else:
            with path.open("rb") as source:
                report = sync.import_file(None, source, fmt, dry_run=options["dry_run"],
                                          disable_missing=options["disable_missing"], progress=progress)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} bad rows: nothing was imported.")
        for change, count in sorted(report.changes.items()):
            self.stdout.write(f"{change}: {count}")
        summary = "Dry run: nothing was changed." if report.dry_run else "Imported." if report.changes else "Nothing to change."
        self.stdout.write(self.style.SUCCESS(summary))
