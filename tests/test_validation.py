"""Bad input is named by field, never accepted silently."""

from __future__ import annotations

import pytest

from app.core.errors import InputError
from app.services.reference import ReferenceSets
from app.services.validation import validate_example
from tests.factories import example_payload


@pytest.fixture
def refs(session):
    return ReferenceSets.load(session)


def fields_of(refs, **changes):
    with pytest.raises(InputError) as info:
        validate_example(example_payload(**changes), refs)
    return {e.field: e.message for e in info.value.fields}


def test_valid_example_passes(refs):
    example = validate_example(example_payload(articles=[12, 3, 3]), refs)
    assert example.articles == [3, 12]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"articles": [55]}, "articles.0"),
        ({"articles": []}, "articles"),
        ({"articles": ["tre"]}, "articles.0"),
        ({"sectors": ["rymdfart"]}, "sectors"),
        ({"sectors": []}, "sectors"),
        ({"target_groups": ["okand"]}, "target_groups"),
        ({"age_groups": ["7-9"]}, "age_groups.0"),
        ({"county_code": "99"}, "county_code"),
        ({"county_code": "1"}, "county_code"),
        ({"municipality_code": "0180"}, "municipality_code"),
        ({"municipality_code": "2499"}, "municipality_code"),
        ({"organisation_type": "foretag"}, "organisation_type"),
        ({"title": "Kort"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 601}, "summary"),
        ({"method": "x" * 20_001}, "method"),
        ({"effort_hours": "många"}, "effort_hours"),
        ({"effort_hours": -5}, "effort_hours"),
        ({"start_year": 2022, "end_year": 2020}, "end_year"),
        ({"contact_email": "inte-en-adress"}, "contact_email"),
        ({"links": [{"title": "x", "url": "javascript:alert(1)"}]}, "links.0.url"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_names_the_field(refs, changes, field):
    errors = fields_of(refs, **changes)
    assert field in errors, errors


def test_unknown_article_in_range_is_impossible_but_out_of_range_is_named(refs):
    errors = fields_of(refs, articles=[0, 12])
    assert "articles.0" in errors and "articles.1" not in errors
