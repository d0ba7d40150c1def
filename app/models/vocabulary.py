"""Fixed vocabularies of the public contract, with Swedish and English labels."""

from __future__ import annotations

AGE_GROUPS: dict[str, tuple[str, str]] = {
    "0-5": ("0–5 år", "0–5 years"),
    "6-12": ("6–12 år", "6–12 years"),
    "13-17": ("13–17 år", "13–17 years"),
    "18-24": ("18–24 år", "18–24 years"),
}

ORGANISATION_TYPES: dict[str, tuple[str, str]] = {
    "kommun": ("Kommun", "Municipality"),
    "region": ("Region", "Region"),
    "lansstyrelse": ("Länsstyrelse", "County administrative board"),
    "statlig-myndighet": ("Statlig myndighet", "Government agency"),
    "civilsamhalle": ("Civilsamhälle", "Civil society"),
    "naringsliv": ("Näringsliv", "Business"),
    "akademi": ("Akademi", "Academia"),
    "annan": ("Annan", "Other"),
}

ROLES: dict[str, tuple[str, str]] = {
    "contributor": ("Bidragsgivare", "Contributor"),
    "editor": ("Länsredaktör", "County editor"),
    "admin": ("Nationell administratör", "National admin"),
}
