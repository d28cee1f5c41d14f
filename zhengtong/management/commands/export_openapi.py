import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from zhengtong.api import api


class Command(BaseCommand):
    help = "Print the OpenAPI 3 document of the API (committed as docs/api/openapi.json)."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            schema = api.get_openapi_schema()
        self.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True, default=str))
