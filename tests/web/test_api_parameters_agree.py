"""The parameter parser and the OpenAPI document read one table (webmap.params.PARAMETERS): they agree.

Before, they differed on ``open_now=`` (the parser took an empty value and any case, the
document's enum did not) and on "radius needs near" (only the parser knew).
"""

from __future__ import annotations

import jsonschema
import pytest
from test_api import build_app

from webmap.params import PARAMETERS, ParameterErrors, parse_offer_query


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_app(tmp_path_factory.mktemp("agree"))


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def vocab(app):
    with app.test_request_context():
        from webmap.state import search_vocabulary

        return search_vocabulary()


def parser_accepts(vocab, name: str, value: str, **others: str) -> bool:
    try:
        parse_offer_query({name: value, **others}, vocab)
    except ParameterErrors as exc:
        return not any(p.parameter == name for p in exc.problems)
    return True


def schema_accepts(document, name: str, value: str) -> bool:
    schema = document["components"]["parameters"][name]["schema"]
    try:
        jsonschema.validate(_typed(schema, value), schema)
    except jsonschema.ValidationError:
        return False
    return True


def _typed(schema: dict, value: str):
    """A query value as a client library would send it for this schema (numbers as numbers)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "array":
        return [v for v in value.split(",")]
    return value


def test_the_document_describes_exactly_the_table(document):
    assert list(document["components"]["parameters"]) == list(PARAMETERS)


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.kind == "flag"])
@pytest.mark.parametrize("value", ["", "1", "0", "true", "TRUE", " on ", "Off", "no", "yes", "maybe", "2", "ja",
                                   "true1", "-", "١"])
def test_flags_accept_the_same_values_in_parser_and_document(document, vocab, name, value):
    assert parser_accepts(vocab, name, value) == schema_accepts(document, name, value)


def test_every_spelling_of_every_flag_word_is_judged_alike(document, vocab):
    words = ["1", "true", "yes", "on", "0", "false", "no", "off", "", "y", "nein", "truee"]
    for word in words:
        for spelling in {word, word.upper(), word.title(), f" {word}", f"{word}\t", f"\n{word} "}:
            assert parser_accepts(vocab, "open_now", spelling) == schema_accepts(document, "open_now", spelling), \
                repr(spelling)


@pytest.mark.parametrize("name, values", [
    ("limit", ["0", "50", "1000", "1001", "-1"]),
    ("offset", ["0", "1000000", "1000001"]),
    ("q", ["x" * 200, "x" * 201]),
])
def test_limits_are_the_same_in_parser_and_document(document, vocab, name, values):
    for value in values:
        assert parser_accepts(vocab, name, value) == schema_accepts(document, name, value), value


@pytest.mark.parametrize("value", ["1", "200000", "200001", "0", "-5"])
def test_radius_range_is_the_same(document, vocab, value):
    assert parser_accepts(vocab, "radius", value, near="49.44,7.77") == schema_accepts(document, "radius", value)


def test_radius_needs_near_in_parser_and_document(document, vocab):
    described = document["components"]["parameters"]["radius"]
    assert described["x-requires"] == ["near"] == list(PARAMETERS["radius"].requires)
    assert "Needs near" in described["description"]
    assert not parser_accepts(vocab, "radius", "500")
    assert parser_accepts(vocab, "radius", "500", near="49.44,7.77")


def test_every_parameter_requirement_is_enforced_by_the_parser(vocab):
    for name, parameter in PARAMETERS.items():
        for needed in parameter.requires:
            example = {"radius": "500"}.get(name, "1")
            assert not parser_accepts(vocab, name, example), (name, needed)
