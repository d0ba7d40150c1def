"""Reference data: convention articles, counties, municipalities, sectors, target groups.

Codes and slugs never change; labels may be edited by the admin. Age groups and
organisation types are fixed vocabularies of the public contract (see app/vocabulary.py).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Article(SQLModel, table=True):
    number: int = Field(primary_key=True, ge=1, le=54, sa_column_kwargs={"autoincrement": False})
    title_sv: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    general_principle: bool = False


class County(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=100)
    short_name: str = Field(max_length=100)
    network_node: str = Field(max_length=20)


class Municipality(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=4)
    name: str = Field(max_length=100)
    county_code: str = Field(foreign_key="county.code", max_length=2, index=True)


class Sector(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=60)
    label_sv: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    position: int = 0


class TargetGroup(SQLModel, table=True):
    __tablename__ = "target_group"

    slug: str = Field(primary_key=True, max_length=60)
    label_sv: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    position: int = 0
