"""What a product photo costs: one 12-megapixel upload → main image, thumbnails and quality report.

The photo is generated (a textured terracotta vase on a cluttered grey table, 4000 × 3000 JPEG),
with the test suite's generator. `process_photo` is timed on it as it is, and the catalogue's whole
path on it as a phone stores it (pixels turned, EXIF orientation and GPS): `clean_original`, which
the upload request runs (upright, metadata removed, re-encoded), then `process_photo` on what that
kept, which the background task runs. Two baselines, both timed in the same run:

- bare Pillow: decode the whole photo and resize it to 1000 px, the least any pipeline does; the
  issue's target is at most 3× this, and at most 1 s a photo.
- Pillow's own fast path: the same, but decoded at reduced scale with `Image.draft` (as
  `Image.thumbnail` does), which `process_photo` also uses; this shows what the segmentation,
  compositing and checks cost on top of decoding.
"""

from __future__ import annotations

import io
import statistics
import time

from PIL import Image

from bench.harness import Result, Target, compare
from niryat.core.imaging import THUMBNAILS, PhotoResult, clean_original, process_photo
from tests.test_imaging import a_phone_upload, a_photo, jpeg

SIZE = "4000 × 3000 JPEG (12 MP)"


def bare_resize(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    return img.resize((1000, round(1000 * img.height / img.width)), Image.Resampling.LANCZOS)


def draft_resize(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (img.width // 2, img.height // 2))
    return img.resize((1000, round(1000 * img.height / img.width)), Image.Resampling.LANCZOS)


def check(result: PhotoResult) -> None:
    """Fail unless the photo gave everything a listing needs: the main image, every thumbnail
    and the quality report."""
    if result.main.side < 1000 or not result.main.segmented:
        raise AssertionError(f"unexpected main image: {result.main.side} px")
    if sorted(result.main.thumbnails) != sorted(THUMBNAILS) or not result.quality.checks:
        raise AssertionError("a thumbnail or the quality report is missing")


class CataloguePath:
    """clean_original, then process_photo on its output, as the catalogue runs them; keeps how long
    the first part (the one the upload request waits for) took."""

    def __init__(self, upload: bytes) -> None:
        self.upload = upload
        self.cleaning: list[float] = []

    def __call__(self) -> PhotoResult:
        started = time.perf_counter()
        kept, _format, _size = clean_original(self.upload)
        self.cleaning.append(time.perf_counter() - started)
        return process_photo(kept)


def run(scale: float) -> list[Result]:
    repeat = 12 if scale < 0.1 else 40
    large = jpeg(a_photo(4000, 3000))
    # A product small in the frame: the reduced decode is not enough and the photo is decoded again.
    small = jpeg(a_photo(4000, 3000, vase=(0.12, 0.25)))
    for data in (large, small):
        check(process_photo(data))
    # The same photo as a phone stores it: turned, with EXIF orientation and GPS.
    upload = a_phone_upload(a_photo(4000, 3000))
    path = CataloguePath(upload)
    check(path())
    kept = Image.open(io.BytesIO(clean_original(upload)[0]))
    if kept.size != (4000, 3000) or kept.getexif():
        raise AssertionError(f"the kept original is {kept.size} with EXIF {dict(kept.getexif())}")

    ours, bare = compare(lambda: process_photo(large), lambda: bare_resize(large), repeat=repeat)
    ours_again, drafted = compare(
        lambda: process_photo(large), lambda: draft_resize(large), repeat=repeat
    )
    small_ours, small_bare = compare(
        lambda: process_photo(small), lambda: bare_resize(small), repeat=repeat
    )
    path.cleaning.clear()
    path_ours, path_bare = compare(path, lambda: bare_resize(upload), repeat=repeat, warmup=2)
    cleaning = statistics.median(path.cleaning) * 1000
    return [
        Result(
            "imaging: process_photo, product fills the photo",
            SIZE,
            ours,
            bare,
            "bare Pillow: Image.open + full decode + LANCZOS resize to 1000 px, same photo",
            target=Target("ratio", 3.0),
        ),
        Result(
            "imaging: process_photo, product fills the photo",
            SIZE,
            ours_again,
            drafted,
            "Pillow decoding at 1/2 scale (Image.draft) + LANCZOS resize to 1000 px, same photo",
            target=Target("p50_ms", 1000),
            note="the second row carries the ≤ 1 s target; the first the ≤ 3× ratio",
        ),
        Result(
            "imaging: process_photo, small product (decoded twice)",
            SIZE,
            small_ours,
            small_bare,
            "bare Pillow: Image.open + full decode + LANCZOS resize to 1000 px, same photo",
            target=Target("ratio", 3.0),
        ),
        Result(
            "imaging: phone upload, clean_original + process_photo",
            "4000 × 3000 JPEG (12 MP), turned, EXIF with GPS",
            path_ours,
            path_bare,
            "bare Pillow: Image.open + full decode + LANCZOS resize to 1000 px, same photo",
            target=Target("ratio", 3.0),
            note=(
                f"the catalogue's whole path for one photo: clean_original (in the upload "
                f"request: upright, metadata removed, re-encoded at 12 MP) took p50 "
                f"{cleaning:.0f} ms of it, process_photo on the kept original (in the background) "
                f"the rest"
            ),
        ),
    ]
