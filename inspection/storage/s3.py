"""The S3-compatible backend (MinIO on premises, Aliyun OSS, Tencent COS, AWS S3) via boto3."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError

from inspection.storage.base import CHUNK
from inspection.storage.base import NotStored
from inspection.storage.base import StorageUnavailable
from inspection.storage.base import Stored
from inspection.storage.base import check_key

MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Settings:
    """Where the bucket is and how to sign for it."""

    endpoint_url: str | None
    bucket: str
    access_key_id: str | None
    secret_access_key: str | None
    region: str | None
    prefix: str = ""
    addressing_style: str = "path"


_clients: dict[S3Settings, object] = {}
_clients_lock = threading.Lock()


def _client(settings: S3Settings):
    """One client per process and settings (boto3 clients are safe to share between threads)."""
    with _clients_lock:
        if settings not in _clients:
            _clients[settings] = boto3.session.Session().client(
                "s3",
                endpoint_url=settings.endpoint_url or None,
                aws_access_key_id=settings.access_key_id or None,
                aws_secret_access_key=settings.secret_access_key or None,
                region_name=settings.region or None,
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": settings.addressing_style},
                    connect_timeout=5,
                    read_timeout=60,
                    retries={"max_attempts": 3, "mode": "standard"},
                    # Only the checksums S3 requires: several S3-compatible servers refuse the
                    # newer default trailing checksums.
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                ),
            )
        return _clients[settings]


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING


class S3Storage:
    """Objects in one bucket, under an optional key prefix."""

    name = "s3"

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self.prefix = settings.prefix.strip("/") + "/" if settings.prefix.strip("/") else ""
        self.client = _client(settings)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def _object(self, key: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if _missing(error):
                raise NotStored(key) from None
            raise

    def get(self, key: str) -> bytes:
        return self._object(key)["Body"].read()

    def stream(self, key: str, chunk: int = CHUNK) -> Iterator[bytes]:
        body = self._object(key)["Body"]

        def pieces() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(chunk)
            finally:
                body.close()

        return pieces()

    def _head(self, key: str):
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if _missing(error):
                raise NotStored(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except NotStored:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list(self, prefix: str = "") -> Iterator[Stored]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                yield Stored(item["Key"][len(self.prefix) :], int(item["Size"]))

    def presigned_url(
        self, key: str, *, content_type: str, filename: str | None, attachment: bool, seconds: int
    ) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        }
        if filename or attachment:
            disposition = "attachment" if attachment else "inline"
            if filename:
                disposition += f"; filename*=UTF-8''{quote(filename)}"
            params["ResponseContentDisposition"] = disposition
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as error:
            raise StorageUnavailable(
                f"the bucket {self.bucket} cannot be reached: {error}"
            ) from error
