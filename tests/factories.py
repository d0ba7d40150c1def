"""Small builders of valid example payloads for tests."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "title": "Barnkonsekvensanalys i budgetprocessen",
    "summary": "Kommunen införde barnkonsekvensanalyser i budgetarbetet.",
    "background": "Politiken ville se barnets bästa i budgeten.",
    "method": (
        "Varje nämnd gjorde en förenklad barnkonsekvensanalys av sina budgetförslag. "
        "En mall togs fram tillsammans med ekonomerna, och barnrättsstrategen höll "
        "workshoppar med varje förvaltning. Analyserna samlades i en bilaga till budgeten "
        "och följdes upp i årsredovisningen med frågan om hur barnen påverkats."
    ),
    "child_participation": (
        "Ungdomsrådet fick lämna synpunkter på prioriteringarna innan nämnderna beslutade, och "
        "barnrättsstrategen återkopplade skriftligt vad som ändrades och varför."
    ),
    "results": (
        "Två förslag ändrades efter analyserna, och årsredovisningen redovisar nu varje år hur barnen "
        "påverkats."
    ),
    "lessons_learned": (
        "Börja med de nämnder som redan arbetar nära barn, och låt ekonomerna äga mallen "
        "så att analysen blir en del av budgeten i stället för en bilaga som ingen läser."
    ),
    "adaptations": "Mallen kortades efter första året.",
    "trade_offs": "Djup mot bredd: vi valde enkla analyser i alla nämnder.",
    "transferability": "Mallen kan användas av andra kommuner.",
    "articles": [3, 12],
    "sectors": ["ledning-och-styrning"],
    "target_groups": ["alla-barn"],
    "age_groups": ["6-12", "13-17"],
    "organisation_name": "Umeå kommun",
    "organisation_type": "kommun",
    "county_code": "24",
    "municipality_code": "2480",
    "start_year": 2021,
    "end_year": 2023,
    "duration_months": 24,
    "effort_hours": 400,
    "cost_sek": None,
    "contact_name": "Barnrättsstrateg",
    "contact_email": "barnratt@umea.se",
    "links": [{"title": "Umeå kommun", "url": "https://www.umea.se/"}],
}


def example_payload(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data
