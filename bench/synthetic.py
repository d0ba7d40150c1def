"""Seeded synthetic Swedish examples and queries for the search benchmark.

Vocabulary: domain nouns/verbs/adjectives with Swedish inflections and
compounds, drawn with a Zipf-like skew so common words are common. Facet
values follow skewed, realistic-looking distributions (a handful of counties
dominate, popular Convention articles recur, many examples lack a
municipality or an effort estimate).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from search.query import SearchQuery

NOUNS = """
barn ungdom elev skola förskola fritidsgård familj förälder vårdnadshavare kommun region
socialtjänst elevhälsa kurator psykolog sjuksköterska lärare rektor fritidsledare bibliotek
förening idrott kultur musik teater dans läsning läxhjälp sommarlov lov aktivitet mötesplats
delaktighet inflytande rättighet konvention analys konsekvens beslut utredning insats stöd
placering familjehem boende institution vård behandling hälsa ohälsa psykiatri mottagning
samtal dialog enkät intervju workshop panel råd ungdomsråd elevråd barnombud lots mentor
fattigdom ekonomi bidrag skuld budget bostad vräkning hyresvärd trygghet våld mobbning
kränkning diskriminering funktionsnedsättning språk tolk nyanländ asyl integration
nätverk samverkan metod modell projekt plan strategi uppföljning utvärdering resultat
lärdom anpassning avvägning överförbarhet kostnad tid personal kompetens utbildning
handledning rutin process nämnd förvaltning politiker tjänsteperson medarbetare grupp
klass skolgård park lekplats simhall ridskola scoutkår kyrka moské polis domstol
""".split()
VERBS = """
arbeta stödja förebygga involvera lyssna delta påverka utveckla pröva samverka utbilda
planera genomföra följa utvärdera anpassa erbjuda skapa stärka minska öka förbättra
""".split()
ADJECTIVES = """
trygg tidig förebyggande digital lokal regional nationell kommunal ideell gemensam
långsiktig kortsiktig flexibel tillgänglig jämlik inkluderande kostnadsfri
""".split()
FILLER = """
och i för att med som på av till om det den en ett är har var kan ska under efter
genom mellan hos vid alla många flera olika varje sin sina deras vi de man också
""".split()
SUFFIXES = ["", "", "", "en", "er", "ar", "na", "et", "erna", "arna", "s"]
COMPOUND_HEADS = ["barn", "ungdoms", "elev", "familje", "skol", "fritids", "social", "föräldra"]

# counties (code: weight) with a few municipality codes each
COUNTIES: dict[str, tuple[float, list[str]]] = {
    "01": (0.24, ["0180", "0114", "0162", "0182", "0138", "0160"]),
    "03": (0.04, ["0380", "0381", "0305"]),
    "05": (0.05, ["0580", "0581", "0512"]),
    "12": (0.14, ["1280", "1281", "1283", "1290", "1214"]),
    "14": (0.17, ["1480", "1490", "1485", "1487", "1440"]),
    "18": (0.03, ["1880", "1881", "1814"]),
    "22": (0.03, ["2280", "2281", "2262"]),
    "24": (0.03, ["2480", "2482", "2403"]),
    "25": (0.03, ["2580", "2584", "2581"]),
}
POPULAR_ARTICLES = [3, 12, 2, 6, 19, 31, 28, 24, 4, 23, 27, 29]
SECTORS = ["socialtjanst", "skola", "forskola", "fritid-kultur", "halso-sjukvard", "civilsamhalle",
           "idrott", "rattsvasende", "bostad", "arbetsmarknad"]
TARGET_GROUPS = ["alla-barn", "barn-i-fattigdom", "placerade-barn", "barn-med-funktionsnedsattning",
                 "nyanlanda-barn", "barn-med-psykisk-ohalsa", "barn-som-utsatts-for-vald", "hbtqi-unga"]
AGE_GROUPS = ["0-5", "6-12", "13-17", "18-24"]
ORG_TYPES = ["kommun", "region", "ideell", "statlig", "foretag", "skola"]
FACET_FILTERS = ["articles", "sectors", "counties", "municipalities", "target_groups", "age_groups",
                 "organisation_types", "effort", "duration"]
ALL_FACETS = ["article", "sector", "county", "municipality", "target_group", "age_group",
              "organisation_type", "effort", "duration"]


N_TOPICS = 40
TOPIC_WORDS = 80


class Generator:
    """Documents are topical, like real ones: each has 1-2 of N_TOPICS topics
    whose words (inflections and compounds) make up ~30% of its text; ~35% are
    common words of the whole field (Zipf-weighted: "barn", "skola" ...), ~30%
    function words, ~5% rare one-off compounds. The queries follow the same
    vocabulary (see :meth:`query_word`)."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        general: list[str] = []
        for n in NOUNS:
            general += [n + sfx for sfx in ("", "en", "er", "ar", "na", "et")]
        general += [v + sfx for v in VERBS for sfx in ("", "r", "de", "t")]
        general += [a + sfx for a in ADJECTIVES for sfx in ("", "a", "t")]
        rng.shuffle(general)
        self.general = general
        # Zipf-like weights: rank r -> 1 / (r + 5)
        self.general_cum = _cumulative([1.0 / (r + 5) for r in range(len(general))])
        pool = sorted(
            {n + sfx for n in NOUNS for sfx in SUFFIXES}
            | {h + n + sfx for h in COMPOUND_HEADS for n in NOUNS for sfx in ("", "er", "en", "ar")}
        )
        self.topics = [rng.sample(pool, TOPIC_WORDS) for _ in range(N_TOPICS)]
        self.topic_words = sorted({w for t in self.topics for w in t})
        self.county_codes = list(COUNTIES)
        self.county_cum = _cumulative([w for w, _ in COUNTIES.values()])
        self.article_pool = POPULAR_ARTICLES * 6 + list(range(1, 55))
        self._topic_pool: list[str] = self.topics[0]

    def common_word(self) -> str:
        return self.rng.choices(self.general, cum_weights=self.general_cum)[0]

    def rare_word(self) -> str:
        rng = self.rng
        return rng.choice(NOUNS) + rng.choice(NOUNS) + rng.choice(("", "en", "er", "s"))

    def sentence(self, n: int) -> str:
        rng = self.rng
        kinds = rng.choices((0, 1, 2, 3), weights=(30, 35, 30, 5), k=n)
        fillers = rng.choices(FILLER, k=n)
        commons = rng.choices(self.general, cum_weights=self.general_cum, k=n)
        topical = rng.choices(self._topic_pool, k=n)
        out = [
            fillers[i] if kind == 0 else commons[i] if kind == 1 else topical[i] if kind == 2 else self.rare_word()
            for i, kind in enumerate(kinds)
        ]
        text = " ".join(out)
        return text[:1].upper() + text[1:] + "."

    def text(self, words: int) -> str:
        parts, left = [], words
        while left > 0:
            n = min(left, self.rng.randint(6, 16))
            parts.append(self.sentence(n))
            left -= n
        return " ".join(parts)

    def example(self, i: int) -> dict[str, Any]:
        rng = self.rng
        self._topic_pool = [w for t in rng.sample(self.topics, rng.choice([1, 1, 2])) for w in t]
        county = rng.choices(self.county_codes, cum_weights=self.county_cum)[0]
        municipality = rng.choice(COUNTIES[county][1]) if rng.random() < 0.85 else None
        start = rng.randint(2008, 2025)
        ongoing = rng.random() < 0.35
        end = None if ongoing else min(2025, start + rng.choice([0, 0, 1, 1, 2, 3, 4]))
        months = None if rng.random() < 0.2 else (
            rng.randint(1, 12 * (2025 - start + 1)) if ongoing else max(1, ((end or start) - start + 1) * rng.randint(2, 12))
        )
        hours = None if rng.random() < 0.15 else int(rng.lognormvariate(5.3, 1.3))
        published = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 7 * 365 * 86400))
        age_start = rng.randint(0, 3)
        return {
            "id": i,
            "slug": f"exempel-{i}",
            "title": self.sentence(rng.randint(4, 9)).rstrip("."),
            "summary": self.text(rng.randint(20, 45)),
            "background": self.text(rng.randint(40, 120)),
            "method": self.text(rng.randint(60, 160)),
            "child_participation": self.text(rng.randint(30, 100)),
            "results": self.text(rng.randint(30, 100)),
            "lessons_learned": self.text(rng.randint(20, 80)),
            "adaptations": self.text(rng.randint(10, 50)),
            "trade_offs": self.text(rng.randint(10, 50)),
            "transferability": self.text(rng.randint(10, 50)),
            "articles": sorted(set(rng.sample(self.article_pool, rng.randint(1, 5)))),
            "sectors": rng.sample(SECTORS[:6] * 3 + SECTORS[6:], rng.randint(1, 2)),
            "target_groups": rng.sample(TARGET_GROUPS, rng.randint(1, 2)),
            "age_groups": AGE_GROUPS[age_start : age_start + rng.randint(1, 3)],
            "organisation_name": f"{self.rare_word().capitalize()} {rng.choice(['kommun', 'förening', 'region', 'stiftelse'])}",
            "organisation_type": rng.choices(ORG_TYPES, weights=[45, 15, 25, 5, 3, 7])[0],
            "county_code": county,
            "municipality_code": municipality,
            "start_year": start,
            "end_year": end,
            "duration_months": months,
            "effort_hours": hours,
            "published_at": published,
        }

    def examples(self, n: int):
        for i in range(1, n + 1):
            yield self.example(i)

    # -- queries -----------------------------------------------------------

    def query_word(self) -> str:
        """Users mostly type topical words: 60% topic words, 30% common words of
        the field (Zipf-weighted, e.g. "barn"), 10% rare compounds."""
        r = self.rng.random()
        if r < 0.60:
            return self.rng.choice(self.topic_words)
        if r < 0.90:
            return self.common_word()
        return self.rare_word()

    def query(self) -> SearchQuery:
        rng = self.rng
        words = [self.query_word() for _ in range(rng.choice([1, 1, 2, 2, 2, 3]))]
        r = rng.random()
        if r < 0.15 and len(words[-1]) > 4:  # search-as-you-type
            words[-1] = words[-1][: rng.randint(3, len(words[-1]) - 1)]
        elif r < 0.25 and len(words[-1]) > 5:  # a typo
            w = words[-1]
            k = rng.randrange(1, len(w) - 1)
            words[-1] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
        filters: dict[str, Any] = {}
        for name in rng.sample(FACET_FILTERS, 2):
            filters[name] = self._filter_values(name)
        return SearchQuery(
            text=" ".join(words),
            facets=ALL_FACETS,
            sort=rng.choices(["relevance", "newest", "effort_asc", "duration_asc"], weights=[70, 15, 8, 7])[0],
            page=rng.choices([1, 2, 3], weights=[80, 15, 5])[0],
            per_page=20,
            **filters,
        )

    def _filter_values(self, name: str) -> list:
        rng = self.rng
        k = rng.choice([1, 1, 1, 2])
        if name == "articles":
            return sorted(set(rng.sample(self.article_pool, k)))
        if name == "sectors":
            return rng.sample(SECTORS, k)
        if name == "counties":
            return sorted(set(rng.choices(self.county_codes, cum_weights=self.county_cum, k=k)))
        if name == "municipalities":
            county = rng.choices(self.county_codes, cum_weights=self.county_cum)[0]
            return rng.sample(COUNTIES[county][1], k)
        if name == "target_groups":
            return rng.sample(TARGET_GROUPS, k)
        if name == "age_groups":
            return rng.sample(AGE_GROUPS, k)
        if name == "organisation_types":
            return rng.sample(ORG_TYPES, k)
        if name == "effort":
            return rng.sample(["<40", "40-200", "200-1000", ">1000"], k)
        return rng.sample(["<3", "3-12", ">12", "ongoing"], k)


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out
