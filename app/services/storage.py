"""Where attachment files live: a small interface with two backends.

* ``LocalStorage`` (default): files under ``DATA_DIR/attachments``.
* ``S3Storage``: an S3-compatible bucket through boto3 (AWS S3, MinIO, Ceph, …), chosen
  when ``BARNRATT_S3_BUCKET`` is set.

Keys are made by the app (``<example id>/<random>``), never from a user's file name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from app.core.config import Settings

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/]{0,250}$")


class StorageError(Exception):
    """The file store refused or could not be reached."""


def _check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key or "//" in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    kind: str

    def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"missing file {key}") from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    kind = "s3"

    def __init__(self, *, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                          s3={"addressing_style": "path"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(str(exc)) from exc

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(str(exc)) from exc


def storage_from_settings(settings: Settings) -> Storage:
    if settings.S3_BUCKET:
        return S3Storage(
            bucket=settings.S3_BUCKET, prefix=settings.S3_PREFIX, endpoint_url=settings.S3_ENDPOINT_URL,
            region=settings.S3_REGION, access_key_id=settings.S3_ACCESS_KEY_ID,
            secret_access_key=settings.S3_SECRET_ACCESS_KEY,
        )
    return LocalStorage(settings.DATA_DIR / "attachments")
