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


def test_two_different_schemas_of_one_name_are_refused():
    # Found by the API fuzz run (tests/fuzz): the directory's PersonOut and the sync API's were one
    # component, so half the operations were documented and checked against the other's fields.
    import pytest
    from django.core.exceptions import ImproperlyConfigured
    from ninja import Router, Schema

    from zhengtong.api import ZhengtongAPI

    def router_returning(schema):
        router = Router()
        router.get("/one", response=list[schema])(lambda request: [])
        return router

    class PersonOut(Schema):
        name: str

    first = PersonOut

    class PersonOut(Schema):  # noqa: F811 — the same name in another module, as it was
        external_id: str

    both = ZhengtongAPI(urls_namespace="two_person_outs")
    both.add_router("/a", router_returning(first))
    both.add_router("/b", router_returning(PersonOut))
    with pytest.raises(ImproperlyConfigured, match="PersonOut"):
        both.get_openapi_schema(path_prefix="")
