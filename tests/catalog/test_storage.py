"""Photos in an S3-compatible bucket (production), against moto's local S3: the catalogue
stores and reads them there, and the main image has the public HTTPS address marketplaces fetch."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.files.storage import storages
from moto import mock_aws
from PIL import Image

from niryat.catalog.actions import do_add_image, process_image_now
from niryat.catalog.models import ProductImage
from tests.test_imaging import a_phone_upload, a_photo

BUCKET = "niryat-media"


@pytest.fixture
def s3_media(settings, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-south-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3", region_name="ap-south-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "ap-south-1",
                    "querystring_auth": False,
                    "file_overwrite": True,
                },
            },
        }
        storages._storages.pop("default", None)  # the handler caches the storage it made
        yield boto3.client("s3", region_name="ap-south-1")
    storages._storages.pop("default", None)


def test_photos_are_kept_in_the_bucket_with_a_public_https_address(s3_media, horse, ganesh):
    # given a phone photo uploaded for a product
    image = do_add_image(horse, a_phone_upload(a_photo()), file_name="IMG.jpg", acting_user=ganesh)
    # when the background step processes it
    process_image_now(ProductImage.objects.get(pk=image.pk))
    # then the original, the main image and the thumbnail are objects in the bucket
    image.refresh_from_db()
    keys = {item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]}
    prefix = f"catalogue/{horse.uuid}/{image.uuid}/"
    assert keys == {prefix + "original.jpg", prefix + "main.jpg", prefix + "thumbnail.jpg"}
    assert image.main.url == f"https://{BUCKET}.s3.amazonaws.com/{prefix}main.jpg"
    body = s3_media.get_object(Bucket=BUCKET, Key=prefix + "main.jpg")["Body"].read()
    with Image.open(io.BytesIO(body)) as main:
        assert main.width == main.height >= 1000
        assert not main.getexif()


def test_media_bucket_setting_selects_the_s3_storage():
    import subprocess
    import sys

    from django.conf import settings

    env = {"NIRYAT_ENV": "test", "MEDIA_BUCKET": BUCKET, "MEDIA_REGION": "ap-south-1"}
    code = "from django.conf import settings as s; print(s.STORAGES['default'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "storages.backends.s3.S3Storage" in result.stdout
    assert f"'bucket_name': '{BUCKET}'" in result.stdout
    assert "'querystring_auth': False" in result.stdout
