"""The demo content: at least 40 realistic examples covering the country and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.cli import DEMO_FILE
from app.services.transfer import import_examples, parse_file

ROOT = Path(__file__).resolve().parent.parent


def test_demo_content_loads_and_covers_the_field(session):
    text = DEMO_FILE.read_text(encoding="utf-8")
    created = import_examples(session, parse_file(DEMO_FILE.name, text), actor_label="demo")
    assert len(created) >= 40
    assert len({e.county_code for e in created}) == 21
    assert len({s for e in created for s in e.sectors}) >= 10
    assert len({a for e in created for a in e.articles}) >= 20
    efforts = [e.effort_hours for e in created]
    assert min(efforts) <= 16 and max(efforts) >= 2000
    assert len({e.slug for e in created}) == len(created)
    for example in created:
        assert len(example.method) >= 300, example.title
        assert len(example.lessons_learned) >= 150, example.title
        assert example.duration_months and example.effort_hours, example.title
        # No digit run that could be a personal identity number.
        for value in example.content().values():
            if isinstance(value, str):
                assert not re.search(r"\d{6}[-+]?\d{4}", value), example.title


def test_demo_lines_use_only_contract_fields():
    from app.models.example import CONTRACT_FIELDS

    for line in DEMO_FILE.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) <= set(CONTRACT_FIELDS)
