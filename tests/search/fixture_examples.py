"""Hand-written Swedish examples for the search contract suite.

Each example is written with a purpose (noted above it). Tests look examples
up by slug and compute expected results from this data (``reference.py``);
no test hard-codes an id or a count.
"""

from __future__ import annotations

from search.documents import build_document

_BASE = {
    "background": "",
    "method": "",
    "child_participation": "",
    "results": "",
    "lessons_learned": "",
    "adaptations": "",
    "trade_offs": "",
    "transferability": "",
    "municipality_code": None,
    "duration_months": None,
    "effort_hours": None,
}


def _ex(**kw):
    return {**_BASE, **kw}


EXAMPLES: list[dict] = [
    # diacritics ("vrakning"), prefix ("vräk"), compound part only: "barnfattigdom";
    # ongoing; effort > 1000; shares published_at with "kolonilott-familjer".
    _ex(
        id=1,
        slug="vrakning-malmo",
        title="Vräkningsförebyggande arbete för barnfamiljer",
        summary="Socialtjänsten i Malmö arbetar tidigt för att förhindra vräkningar av barnfamiljer.",
        background="När en familj hotas av **vräkning** påverkas barnen hårt. Barnfattigdom ökar risken.",
        method="Hembesök, budgetrådgivning och samverkan med [hyresvärdar](https://example.org/hyra).",
        articles=[3, 27],
        sectors=["socialtjanst"],
        target_groups=["barn-i-fattigdom"],
        age_groups=["0-5", "6-12", "13-17"],
        organisation_name="Malmö stad",
        organisation_type="kommun",
        county_code="12",
        municipality_code="1280",
        start_year=2019,
        end_year=None,
        effort_hours=1500,
        published_at="2024-03-01T09:00:00Z",
    ),
    # the singular "barnkonsekvensanalys" (stemming, synonyms); ties with "bka-fritid" on published_at
    _ex(
        id=2,
        slug="bka-skolan",
        title="Barnkonsekvensanalys inför skolnedläggning",
        summary="Kommunen gjorde en barnkonsekvensanalys där eleverna fick säga sin mening.",
        child_participation="Eleverna intervjuades i mindre grupper.",
        articles=[3, 12],
        sectors=["skola"],
        target_groups=["alla-barn"],
        age_groups=["6-12"],
        organisation_name="Lunds kommun",
        organisation_type="kommun",
        county_code="12",
        municipality_code="1281",
        start_year=2021,
        end_year=2021,
        duration_months=4,
        effort_hours=120,
        published_at="2023-06-15T12:00:00Z",
    ),
    # only the abbreviation "BKA" (synonyms)
    _ex(
        id=3,
        slug="bka-fritid",
        title="Fritidsgårdar i förändring",
        summary="En BKA visade hur ungdomar använder fritidsgårdarna på kvällarna.",
        articles=[12, 31],
        sectors=["fritid-kultur"],
        target_groups=["alla-barn"],
        age_groups=["13-17"],
        organisation_name="Göteborgs stad",
        organisation_type="kommun",
        county_code="14",
        municipality_code="1480",
        start_year=2022,
        end_year=2023,
        duration_months=14,
        effort_hours=300,
        published_at="2023-06-15T12:00:00Z",
    ),
    # only the plural "barnkonsekvensanalyser"; no municipality, unknown effort and duration
    _ex(
        id=4,
        slug="bka-regionen",
        title="Barnkonsekvensanalyser i regionens budget",
        summary="Regionen prövar budgetbeslut mot barnets bästa.",
        articles=[3, 4],
        sectors=["halso-sjukvard"],
        target_groups=["alla-barn"],
        age_groups=["0-5", "6-12", "13-17"],
        organisation_name="Region Uppsala",
        organisation_type="region",
        county_code="03",
        start_year=2020,
        end_year=None,
        published_at="2022-11-01T08:00:00Z",
    ),
    # the long form "barn- och ungdomspsykiatri" (synonym of BUP)
    _ex(
        id=5,
        slug="bup-remiss",
        title="Snabbare väg till barn- och ungdomspsykiatri",
        summary="Elevhälsan och regionen har gemensamma remissrutiner.",
        articles=[24, 28],
        sectors=["halso-sjukvard", "skola"],
        target_groups=["barn-med-psykisk-ohalsa"],
        age_groups=["6-12", "13-17"],
        organisation_name="Region Skåne",
        organisation_type="region",
        county_code="12",
        start_year=2018,
        end_year=2020,
        duration_months=30,
        effort_hours=2500,
        published_at="2021-02-10T10:00:00Z",
    ),
    # only "BUP"; "mentor" (typo tests)
    _ex(
        id=6,
        slug="bup-mentorer",
        title="Mentorer för unga som väntar på BUP",
        summary="Unga får en mentor under väntetiden.",
        articles=[24, 39],
        sectors=["civilsamhalle"],
        target_groups=["barn-med-psykisk-ohalsa"],
        age_groups=["13-17", "18-24"],
        organisation_name="Föreningen Stöttepelaren",
        organisation_type="ideell",
        county_code="01",
        municipality_code="0180",
        start_year=2023,
        end_year=None,
        effort_hours=35,
        published_at="2024-09-01T07:30:00Z",
    ),
    # "läsning" (typo neighbour of "lösning")
    _ex(
        id=7,
        slug="lasning-forskola",
        title="Läsning för förskolebarn",
        summary="Biblioteket läser högt för barn i förskolan varje vecka.",
        articles=[17, 29, 31],
        sectors=["fritid-kultur", "skola"],
        target_groups=["alla-barn"],
        age_groups=["0-5"],
        organisation_name="Kiruna bibliotek",
        organisation_type="kommun",
        county_code="25",
        municipality_code="2584",
        start_year=2016,
        end_year=2017,
        duration_months=18,
        effort_hours=80,
        published_at="2020-05-05T09:00:00Z",
    ),
    # "lösning" (exact beats typo); "HVB"; duration < 3; shares published_at with "bup-remiss"
    _ex(
        id=8,
        slug="losning-boende",
        title="En lösning för placerade barns boende",
        summary="Familjehem och HVB samarbetar kring placerade barn.",
        articles=[20, 25],
        sectors=["socialtjanst"],
        target_groups=["placerade-barn"],
        age_groups=["6-12", "13-17"],
        organisation_name="Stiftelsen Trygg Hamn",
        organisation_type="ideell",
        county_code="01",
        municipality_code="0114",
        start_year=2017,
        end_year=2019,
        duration_months=2,
        effort_hours=20,
        published_at="2021-02-10T10:00:00Z",
    ),
    # long form of HVB; compound "Ungdomsråd"
    _ex(
        id=9,
        slug="hvb-delaktighet",
        title="Delaktighet för unga på hem för vård eller boende",
        summary="Ungdomsråd på institutionen ger unga inflytande över vardagen.",
        articles=[12, 20],
        sectors=["socialtjanst"],
        target_groups=["placerade-barn"],
        age_groups=["13-17"],
        organisation_name="Vårdbolaget Nord AB",
        organisation_type="foretag",
        county_code="25",
        municipality_code="2580",
        start_year=2020,
        end_year=2022,
        duration_months=24,
        effort_hours=600,
        published_at="2022-01-20T15:00:00Z",
    ),
    # markup in title and summary (escaping); "skola" (stemming: "skolor")
    _ex(
        id=10,
        slug="digital-trygghet",
        title='Barnens <script>alert("hej")</script> & "citat" – digital trygghet',
        summary="Lektioner i skola om trygghet på nätet <b>fet</b> & mer.",
        articles=[16, 17],
        sectors=["skola"],
        target_groups=["alla-barn"],
        age_groups=["6-12", "13-17"],
        organisation_name="Digitala Barn",
        organisation_type="ideell",
        county_code="14",
        municipality_code="1480",
        start_year=2024,
        end_year=None,
        effort_hours=10,
        published_at="2025-01-10T11:00:00Z",
    ),
    # "kolonilott" in the title (title outranks body)
    _ex(
        id=11,
        slug="kolonilott-familjer",
        title="Kolonilott för barnfamiljer",
        summary="Familjer odlar grönsaker tillsammans med grannar.",
        articles=[24, 27, 31],
        sectors=["fritid-kultur"],
        target_groups=["barn-i-fattigdom"],
        age_groups=["0-5", "6-12"],
        organisation_name="Uppsala kommun",
        organisation_type="kommun",
        county_code="03",
        municipality_code="0380",
        start_year=2021,
        end_year=None,
        effort_hours=400,
        published_at="2024-03-01T09:00:00Z",
    ),
    # "kolonilott" only in the body
    _ex(
        id=12,
        slug="sommarlov-uppsala",
        title="Sommarlovsaktiviteter i Uppsala",
        summary="Gratis aktiviteter under sommarlovet för alla barn.",
        method="Aktiviteterna hölls i parker, simhallar och på en kolonilott i stadsdelen.",
        articles=[31],
        sectors=["fritid-kultur"],
        target_groups=["barn-i-fattigdom", "alla-barn"],
        age_groups=["6-12", "13-17"],
        organisation_name="Uppsala kommun",
        organisation_type="kommun",
        county_code="03",
        municipality_code="0380",
        start_year=2022,
        end_year=2022,
        duration_months=3,
        effort_hours=900,
        published_at="2022-08-30T09:00:00Z",
    ),
    # "LSS"; "ledsagning" and "judo" (typo tests); effort exactly 1000;
    # only the singular "insats" (stemming: "insatser")
    _ex(
        id=13,
        slug="lss-fritid",
        title="Fritid för barn med funktionsnedsättning",
        summary="Ledsagning enligt LSS gör det möjligt att delta i judo och simning.",
        lessons_learned="Varje insats planerades tillsammans med familjen.",
        articles=[23, 31],
        sectors=["fritid-kultur", "socialtjanst"],
        target_groups=["barn-med-funktionsnedsattning"],
        age_groups=["6-12", "13-17", "18-24"],
        organisation_name="Region Norrbotten",
        organisation_type="region",
        county_code="25",
        start_year=2015,
        end_year=2018,
        duration_months=40,
        effort_hours=1000,
        published_at="2019-04-01T09:00:00Z",
    ),
    # long form of LSS in the body; duration exactly 12, effort exactly 200
    _ex(
        id=14,
        slug="korttidsvistelse",
        title="Korttidsvistelse med barnets röst",
        summary="Barn som bor på korttidsboende fick påverka aktiviteterna.",
        background="Insatsen ges enligt lagen om stöd och service till vissa funktionshindrade.",
        articles=[12, 23],
        sectors=["socialtjanst"],
        target_groups=["barn-med-funktionsnedsattning"],
        age_groups=["6-12"],
        organisation_name="Upplands Väsby kommun",
        organisation_type="kommun",
        county_code="01",
        municipality_code="0114",
        start_year=2020,
        end_year=2021,
        duration_months=12,
        effort_hours=200,
        published_at="2023-01-15T09:00:00Z",
    ),
]

BY_SLUG: dict[str, dict] = {e["slug"]: e for e in EXAMPLES}


# How many other organisations reported reusing an example (the app counts reviewed
# reuse reports); ties on purpose ("bka-skolan" and "sommarlov-uppsala"), the rest 0.
REUSE_COUNTS: dict[str, int] = {"bka-skolan": 3, "sommarlov-uppsala": 3, "lss-fritid": 1, "vrakning-malmo": 7}
# Tag labels as the app builds them from its vocabularies: words found nowhere else.
TAG_LABELS: dict[str, list[str]] = {
    "korttidsvistelse": ["artikel 23 Barn med funktionsnedsättning", "Funktionshinderomsorg"],
}


def docs() -> list[dict]:
    return [
        build_document({**e, "reuse_count": REUSE_COUNTS.get(e["slug"], 0), "tag_labels": TAG_LABELS.get(e["slug"], [])})
        for e in EXAMPLES
    ]


def ids(*slugs: str) -> set[int]:
    return {BY_SLUG[s]["id"] for s in slugs}


def id_of(slug: str) -> int:
    return BY_SLUG[slug]["id"]
