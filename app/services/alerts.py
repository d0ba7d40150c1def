"""Saved searches and alerts ("Bevaka").

A saved search is the query string of ``/`` or ``/api/v1/examples``, parsed and checked by
``app.services.search_params`` and stored in its canonical form (without paging). Which new
publications match is asked of the search engine itself: the saved search as a
``SearchQuery`` plus an id filter holding the candidates (``SearchQuery.ids``). There is no
second implementation of the search semantics here.

* ``immediate``: after the indexer has indexed publications (``notify_published``, hooked
  to the search outbox path in app/main.py and app/cli.py), matching searches get one mail.
* ``weekly``: ``barnratt alerts`` (``send_weekly_digests``) mails every due search the
  publications since its last digest. Idempotent: a search gets at most one digest per
  ``DIGEST_INTERVAL`` and every example at most once (``saved_search_hit``).
* every saved search has a private Atom feed at an unguessable URL.

Only examples first published after the search was saved count as new.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.errors import FieldError, InputError, NotFound
from app.core.i18n import gettext
from app.core.time import as_utc, utcnow
from app.models import Example, OutboxEntry, SavedSearch, SavedSearchHit, User
from app.services.browse import active_chips, run_engine
from app.services.labels import _l
from app.services.mail import queue_mail
from app.services.policy import allowed, authorize
from app.services.search_params import (
    DEFAULT_PER_PAGE,
    SearchParams,
    parse_search_params,
)
from app.services.serializers import permalink
from app.services.taxonomy import Taxonomy
from search import SearchBackend
from search.query import MAX_IDS

log = logging.getLogger("barnratt.alerts")

FREQUENCIES = ("immediate", "weekly", "never")
FREQUENCY_TITLES = {
    "immediate": _l("At once, for each new match"),
    "weekly": _l("Weekly digest"),
    "never": _l("No mail (feed only)"),
}
DIGEST_INTERVAL = timedelta(days=6)  # run weekly; a rerun within six days sends nothing
MAX_SAVED_PER_USER = 100
ENGINE_PAGE = 100  # ids asked per engine query (per_page's maximum)


# -- the query --------------------------------------------------------------------------------
def canonical_params(query: str, taxonomy: Taxonomy) -> SearchParams:
    """Parse a stored or submitted query string ('q=...&county=24', with or without '?');
    paging is dropped. Raises InputError naming the bad parameter."""
    text = (query or "").strip().lstrip("?")
    if len(text) > 4000:
        raise InputError([FieldError("query", "must be at most 4000 characters")])
    params = parse_search_params(parse_qsl(text, keep_blank_values=True), taxonomy)
    return replace(params, page=1, per_page=DEFAULT_PER_PAGE)


def describe(params: SearchParams, taxonomy: Taxonomy, lang: str) -> str:
    """A readable default name: the words and the filters."""
    parts = [f"”{params.q}”"] if params.q else []
    parts += [chip.label for chip in active_chips(params, taxonomy, lang)]
    return (", ".join(parts) or gettext(lang, _l("All examples")))[:200]


def matching_ids(backend: SearchBackend, params: SearchParams, candidates: Iterable[int]) -> list[int]:
    """Which of ``candidates`` the saved search finds: asked of the engine (id filter)."""
    ids = sorted(set(candidates))
    found: list[int] = []
    for start in range(0, len(ids), ENGINE_PAGE):
        chunk = ids[start:start + ENGINE_PAGE]
        assert len(chunk) <= MAX_IDS
        query = params.to_query(facets=(), ids=chunk, page=1, per_page=ENGINE_PAGE, sort="newest")
        found += [hit.id for hit in run_engine(backend, query).hits]
    return found


# -- managing saved searches ------------------------------------------------------------------
def _frequency(value: Any) -> str:
    value = (value or "weekly") if not isinstance(value, str) or not value.strip() else value.strip()
    if value not in FREQUENCIES:
        raise InputError([FieldError("frequency", f"must be one of {', '.join(FREQUENCIES)}")])
    return value


def _name(value: Any, default: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > 200:
        raise InputError([FieldError("name", "must be at most 200 characters")])
    return text or default


def list_saved(session: Session, *, user: User) -> list[SavedSearch]:
    return list(session.exec(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())  # type: ignore[attr-defined]
    ).all())


def create_saved_search(session: Session, *, user: User, query: Any, taxonomy: Taxonomy, name: Any = None,
                        frequency: Any = None, lang: str = "sv", now: datetime | None = None) -> SavedSearch:
    authorize("saved_search.create", user)
    if query is not None and not isinstance(query, str):
        raise InputError([FieldError("query", "must be a query string")])
    params = canonical_params(query or "", taxonomy)
    freq = _frequency(frequency)
    label = _name(name, describe(params, taxonomy, lang))
    count = session.exec(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id)).one()
    if count >= MAX_SAVED_PER_USER:
        raise InputError([FieldError("query", f"at most {MAX_SAVED_PER_USER} saved searches per account")])
    now = now or utcnow()
    saved = SavedSearch(user_id=user.id, name=label, query=params.query_string(), frequency=freq,
                        feed_token=secrets.token_urlsafe(32), created_at=now, digest_after=now)
    session.add(saved)
    session.flush()
    return saved


def get_saved(session: Session, *, user: User, saved_id: int) -> SavedSearch:
    saved = session.get(SavedSearch, saved_id)
    if saved is None or not allowed("saved_search.manage", user, saved):
        raise NotFound("Bevakningen finns inte")
    return saved


def update_saved(session: Session, *, saved: SavedSearch, user: User, changes: dict[str, Any]) -> SavedSearch:
    authorize("saved_search.manage", user, saved)
    unknown = sorted(set(changes) - {"name", "frequency"})
    if unknown:
        raise InputError([FieldError(n, "unknown field") for n in unknown])
    if "frequency" in changes:
        saved.frequency = _frequency(changes["frequency"])
    if "name" in changes:
        saved.name = _name(changes["name"], saved.name)
    session.add(saved)
    session.flush()
    return saved


def new_feed_token(session: Session, *, saved: SavedSearch, user: User) -> str:
    """A new private feed address; the old one stops working."""
    authorize("saved_search.manage", user, saved)
    saved.feed_token = secrets.token_urlsafe(32)
    session.add(saved)
    session.flush()
    return saved.feed_token


def delete_saved(session: Session, *, saved: SavedSearch, user: User) -> None:
    authorize("saved_search.manage", user, saved)
    for hit in session.exec(select(SavedSearchHit).where(SavedSearchHit.saved_search_id == saved.id)).all():
        session.delete(hit)
    session.flush()
    session.delete(saved)
    session.flush()


def saved_by_feed_token(session: Session, *, token: str) -> SavedSearch:
    if not token or len(token) > 64:
        raise NotFound("Flödet finns inte")
    saved = session.exec(select(SavedSearch).where(SavedSearch.feed_token == token)).first()
    if saved is None or not secrets.compare_digest(saved.feed_token, token):
        raise NotFound("Flödet finns inte")
    return saved


def saved_json(saved: SavedSearch, *, base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    return {
        "id": saved.id, "name": saved.name, "query": saved.query, "frequency": saved.frequency,
        "search_url": f"{base}/?{saved.query}" if saved.query else f"{base}/",
        "api_url": f"{base}/api/v1/examples?{saved.query}" if saved.query else f"{base}/api/v1/examples",
        "feed_url": feed_url(base, saved), "created_at": as_utc(saved.created_at).isoformat(),
        "last_digest_at": as_utc(saved.last_digest_at).isoformat() if saved.last_digest_at else None,
    }


def feed_url(base_url: str, saved: SavedSearch) -> str:
    return f"{base_url.rstrip('/')}/bevakningar/flode/{saved.feed_token}.atom"


def feed_rows(session: Session, backend: SearchBackend, taxonomy: Taxonomy, saved: SavedSearch,
              *, size: int = 50) -> list[Example]:
    """The newest examples the saved search finds (the engine's answer, rows from the db)."""
    params = canonical_params(saved.query, taxonomy)
    result = run_engine(backend, params.to_query(facets=(), sort="newest", page=1, per_page=size))
    ids = [hit.id for hit in result.hits]
    rows = {e.id: e for e in session.exec(select(Example).where(Example.id.in_(ids))).all()} if ids else {}  # type: ignore[union-attr]
    return [rows[i] for i in ids if i in rows and rows[i].status == "published"]


# -- matching and mail ------------------------------------------------------------------------
SUBJECT_ONE = _l("New example for your saved search “%(name)s”: %(title)s")
SUBJECT_DIGEST = _l("%(count)s new examples for your saved search “%(name)s”")
BODY_INTRO = _l("New on Barnrättsbanken for your saved search “%(name)s”:")
BODY_SEARCH = _l("The search: %(url)s")
BODY_MANAGE = _l("Change or stop this alert: %(url)s")


@dataclass
class AlertRun:
    searches: int = 0
    mails: int = 0
    examples: int = 0


def _already(session: Session, saved: SavedSearch, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.exec(
        select(SavedSearchHit.example_id).where(SavedSearchHit.saved_search_id == saved.id,
                                                SavedSearchHit.example_id.in_(list(ids)))  # type: ignore[attr-defined]
    ).all())


def _mail(session: Session, *, settings: Settings, saved: SavedSearch, examples: list[Example], now: datetime,
          lang: str = "sv") -> None:
    user = session.get(User, saved.user_id)
    if user is None or not user.is_active or not user.email:
        return
    base = settings.BASE_URL.rstrip("/")
    name = saved.name
    subject = (gettext(lang, SUBJECT_ONE) % {"name": name, "title": examples[0].title} if len(examples) == 1
               else gettext(lang, SUBJECT_DIGEST) % {"count": len(examples), "name": name})
    lines = [gettext(lang, BODY_INTRO) % {"name": name}, ""]
    for ex in examples:
        lines += [f"* {ex.title} ({ex.organisation_name})", f"  {permalink(base, ex.id)}"]
    lines += ["", gettext(lang, BODY_SEARCH) % {"url": f"{base}/?{saved.query}" if saved.query else f"{base}/"},
              gettext(lang, BODY_MANAGE) % {"url": f"{base}/bevakningar"}]
    message = queue_mail(session, settings=settings, to=user.email, subject=subject, body="\n".join(lines))
    for ex in examples:
        session.add(SavedSearchHit(saved_search_id=saved.id, example_id=ex.id, mail_id=message.id, created_at=now))


def _match_and_mail(session: Session, backend: SearchBackend, settings: Settings, taxonomy: Taxonomy,
                    saved: SavedSearch, candidates: list[Example], now: datetime, run: AlertRun) -> None:
    created = as_utc(saved.created_at)
    fresh = [e for e in candidates if e.published_at is not None and as_utc(e.published_at) >= created]
    seen = _already(session, saved, [e.id for e in fresh])
    fresh = [e for e in fresh if e.id not in seen]
    if not fresh:
        return
    try:
        params = canonical_params(saved.query, taxonomy)
    except InputError:
        # A stored filter that no longer exists in the reference data (a renamed sector):
        # the search cannot be run as saved; skip it rather than mail a wider result.
        log.warning("saved search %s no longer parses: %r", saved.id, saved.query)
        return
    matched = set(matching_ids(backend, params, [e.id for e in fresh]))
    hits = [e for e in fresh if e.id in matched]
    if hits:
        _mail(session, settings=settings, saved=saved, examples=hits, now=now)
        run.mails += 1
        run.examples += len(hits)


def notify_published(engine: Engine, backend: SearchBackend, settings: Settings, example_ids: Iterable[int],
                     *, now: datetime | None = None) -> AlertRun:
    """Immediate alerts for examples the indexer has just indexed, in a transaction of its
    own; the mails leave after it commits (app.services.mail)."""
    with Session(engine, expire_on_commit=False) as session:
        run = match_published(session, backend=backend, settings=settings, example_ids=example_ids, now=now)
        session.commit()
    return run


def match_published(session: Session, *, backend: SearchBackend, settings: Settings, example_ids: Iterable[int],
                    now: datetime | None = None) -> AlertRun:
    """Mail every immediate saved search that finds one of ``example_ids`` (examples first
    published after the search was saved, each at most once)."""
    ids = sorted(set(example_ids))
    run = AlertRun()
    if not ids:
        return run
    now = now or utcnow()
    searches = session.exec(select(SavedSearch).where(SavedSearch.frequency == "immediate").order_by(SavedSearch.id)).all()
    if not searches:
        return run
    examples = session.exec(select(Example).where(Example.id.in_(ids), Example.status == "published")).all()  # type: ignore[union-attr]
    if not examples:
        return run
    taxonomy = Taxonomy.load(session)
    for saved in searches:
        run.searches += 1
        _match_and_mail(session, backend, settings, taxonomy, saved, list(examples), now, run)
    session.flush()
    return run


def _not_yet_indexed(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.exec(select(OutboxEntry.example_id).where(OutboxEntry.example_id.in_(ids))).all())  # type: ignore[attr-defined]


def due_for_digest(saved: SavedSearch, now: datetime) -> bool:
    last = as_utc(saved.last_digest_at) if saved.last_digest_at else None
    return saved.frequency == "weekly" and (last is None or now - last >= DIGEST_INTERVAL)


def send_weekly_digests(session: Session, *, backend: SearchBackend, settings: Settings,
                        now: datetime | None = None) -> AlertRun:
    """One digest per due weekly search: the examples first published since its last
    digest that it finds. Idempotent (see module doc). ``now`` is the clock (tests)."""
    now = now or utcnow()
    run = AlertRun()
    taxonomy = Taxonomy.load(session)
    for saved in session.exec(select(SavedSearch).where(SavedSearch.frequency == "weekly").order_by(SavedSearch.id)).all():
        if not due_for_digest(saved, now):
            continue
        run.searches += 1
        since = as_utc(saved.digest_after)
        candidates = list(session.exec(
            select(Example).where(Example.status == "published", Example.published_at > since,
                                  Example.published_at <= now).order_by(Example.published_at, Example.id)
        ).all())
        # Publications the indexer has not applied yet cannot be matched now: they wait for
        # the next digest (the watermark stays before them; the hit table prevents repeats).
        waiting = _not_yet_indexed(session, [e.id for e in candidates])
        ready = [e for e in candidates if e.id not in waiting]
        _match_and_mail(session, backend, settings, taxonomy, saved, ready, now, run)
        held = [as_utc(e.published_at) for e in candidates if e.id in waiting]
        saved.digest_after = min([now, *(t - timedelta(seconds=1) for t in held)])
        saved.last_digest_at = now
        session.add(saved)
        session.flush()
    return run


def indexed_hook(engine: Engine, backend: SearchBackend, settings: Settings):
    """The indexer's ``on_indexed``: immediate alerts for what it just indexed."""

    def hook(example_ids: list[int]) -> None:
        result = notify_published(engine, backend, settings, example_ids)
        if result.mails:
            log.info("saved-search alerts: %d mail(s) for %d example(s)", result.mails, result.examples)

    return hook


FEED_SUBTITLE = _l("The newest examples your saved search finds.")
