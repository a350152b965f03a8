"""A real S3-compatible server for the tests: moto in server mode, on a free local port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

KEYS = {"S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret"}


@contextmanager
def s3_server() -> Iterator[str]:
    """Start moto's S3 server in a thread; yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def new_bucket(endpoint: str) -> dict:
    """Make an empty bucket; return the app settings that store files in it."""
    name = f"inspection-{uuid.uuid4().hex[:12]}"
    settings = {
        "STORAGE": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": name,
        "S3_REGION": "us-east-1",
        **KEYS,
    }
    client(settings).create_bucket(Bucket=name)
    return settings


def client(settings: dict):
    """A plain boto3 client on the same bucket, to look behind the app's back."""
    return boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        aws_access_key_id=settings["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
        region_name=settings["S3_REGION"],
    )


def keys(settings: dict, prefix: str = "") -> list[str]:
    """Every key in the bucket under a prefix."""
    listed = client(settings).list_objects_v2(Bucket=settings["S3_BUCKET"], Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", ()))
