"""The committed OpenAPI document must match the API; regenerate it with `make openapi`."""

import json
from pathlib import Path

from django.utils import translation

from zhengtong.api import api

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"


def test_committed_openapi_document_matches_the_api():
    with translation.override("en"):
        current = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert current == committed, "The API changed: run `make openapi` and commit docs/api/openapi.json"
