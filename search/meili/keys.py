"""The scoped API key the app uses (never the master key).

Meilisearch keys carry a list of actions and of index patterns. The app needs
to search, write documents, manage its own index and the temporary indexes of
its rebuilds (``<index>_tmp_<ms>``: create, settings, swap, delete) and read
their tasks and stats; nothing else (no keys, dumps, snapshots, other indexes).

Create it once with the master key::

    python -m search.meili.keys --url http://127.0.0.1:7700 --index examples
    # reads the master key from MEILI_MASTER_KEY; prints the new key

and give the app that key as ``BARNRATT_MEILI_API_KEY``.
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx2

#: Everything the app's Meilisearch engine calls (search.meili.backend).
APP_KEY_ACTIONS: tuple[str, ...] = (
    "search",
    "documents.add",
    "documents.delete",
    "indexes.create",
    "indexes.get",
    "indexes.delete",
    "indexes.swap",
    "settings.get",
    "settings.update",
    "tasks.get",
    "stats.get",
)  # no global actions ("version", ...): Meilisearch refuses them on an index-scoped key


def create_app_key(url: str, master_key: str, index: str = "examples", *, description: str | None = None) -> str:
    """Create the app's scoped key (for ``index`` and its rebuilds' temporary indexes)."""
    response = httpx2.post(
        url.rstrip("/") + "/keys",
        headers={"Authorization": f"Bearer {master_key}"},
        json={
            "name": f"barnratt-app-{index}",
            "description": description or f"Barnrättsbanken app: index {index} and its rebuilds",
            "actions": list(APP_KEY_ACTIONS),
            "indexes": [index, f"{index}_tmp_*"],
            "expiresAt": None,
        },
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["key"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create the Barnrättsbanken app's scoped Meilisearch key.")
    parser.add_argument("--url", default=os.environ.get("BARNRATT_MEILI_URL", "http://127.0.0.1:7700"))
    parser.add_argument("--index", default=os.environ.get("BARNRATT_MEILI_INDEX", "examples"))
    args = parser.parse_args(argv)
    master = os.environ.get("MEILI_MASTER_KEY")
    if not master:
        print("set MEILI_MASTER_KEY to the server's master key", file=sys.stderr)
        return 2
    print(create_app_key(args.url, master, args.index))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
