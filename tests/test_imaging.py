"""The imaging pipeline on generated phone photos: a terracotta vase on a cluttered grey table.

The photos are drawn with numpy and OpenCV (texture, noise, clutter at the edges) so the tests need
no fixture files and can vary size, sharpness and light.
"""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import ExifTags, Image, ImageFilter

from niryat.core import imaging
from niryat.core.imaging import ImagingError, phash, process_photo, same_photo

TERRACOTTA = (176, 84, 52)


def a_photo(
    width: int = 1600,
    height: int = 1200,
    *,
    seed: int = 1,
    vase: tuple[float, float] = (0.30, 0.70),  # the vase's width and height, fractions of height
    colour: tuple[int, int, int] = TERRACOTTA,
    light: float = 1.0,
) -> Image.Image:
    """An upright phone photo: a textured terracotta vase on a grey, noisy, cluttered background."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    # A grey table fading to a wall, with uneven light.
    grey = 150 + 40 * (ys / height) - 25 * (xs / width)
    img = np.repeat(grey[..., None], 3, axis=2)
    img += rng.normal(0, 6, img.shape)
    # Clutter at the edges: a blue cloth, a dark box, a paper sheet, all touching the border.
    cv2.rectangle(img, (0, int(height * 0.75)), (int(width * 0.12), height), (60, 80, 140), -1)
    cv2.rectangle(img, (int(width * 0.9), 0), (width, int(height * 0.2)), (40, 35, 30), -1)
    cv2.circle(img, (width, height), int(height * 0.15), (225, 220, 205), -1)
    # The vase: a body ellipse and a neck, with horizontal ridges and speckle texture.
    cx, cy = width / 2, height / 2
    vw, vh = vase[0] * height, vase[1] * height
    body = ((xs - cx) / (vw / 2)) ** 2 + ((ys - cy - vh * 0.1) / (vh * 0.4)) ** 2 <= 1
    neck = (np.abs(xs - cx) <= vw * 0.18) & (ys >= cy - vh / 2) & (ys <= cy)
    shape = body | neck
    shade = 0.75 + 0.25 * np.cos((xs - cx) / (vw / 2) * 1.2)
    ridges = 1 + 0.08 * np.sin(ys / 9.0)
    speckle = rng.normal(1, 0.06, (height, width))
    for channel, value in enumerate(colour):
        layer = img[..., channel]
        layer[shape] = (value * shade * ridges * speckle)[shape]
    img *= light
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def jpeg(img: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, **params)
    return out.getvalue()


def a_phone_upload(upright: Image.Image) -> bytes:
    """The photo as a phone stores it: pixels turned, EXIF Orientation=6, GPS in the EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (26.0, 45.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (83.0, 22.0, 12.0)
    # Orientation 6 means "turn 90° clockwise to view", so the sensor's pixels are turned back.
    return jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())


def product_box(main: Image.Image) -> tuple[int, int, int, int]:
    grey = np.asarray(main.convert("L"))
    rows = np.flatnonzero((grey < 245).any(axis=1))
    cols = np.flatnonzero((grey < 245).any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1] + 1), int(rows[-1] + 1)


@pytest.fixture(scope="module")
def phone_result() -> imaging.PhotoResult:
    return process_photo(a_phone_upload(a_photo()))


def test_phone_upload_carries_rotation_and_gps() -> None:
    # given: the upload itself, to be sure the tests below start from what a phone sends
    exif = Image.open(io.BytesIO(a_phone_upload(a_photo()))).getexif()

    assert exif[ExifTags.Base.Orientation] == 6
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_main_image_is_upright_square_white_and_filled(phone_result: imaging.PhotoResult) -> None:
    main = Image.open(io.BytesIO(phone_result.main.jpeg))

    assert main.format == "JPEG"
    assert main.mode == "RGB"
    assert main.width == main.height == phone_result.main.side
    assert main.width >= 1000
    rgb = np.asarray(main)
    for corner in (rgb[0, 0], rgb[0, -1], rgb[-1, 0], rgb[-1, -1]):
        assert tuple(corner) == (255, 255, 255)
    left, top, right, bottom = product_box(main)
    # The vase is 0.30 wide by 0.70 tall (with the neck): upright means taller than wide.
    assert (bottom - top) / (right - left) == pytest.approx(0.70 / 0.30, rel=0.12)
    assert (bottom - top) / main.height == pytest.approx(0.85, abs=0.07)
    # Centred.
    assert (left + right) / 2 == pytest.approx(main.width / 2, abs=main.width * 0.02)
    assert (top + bottom) / 2 == pytest.approx(main.height / 2, abs=main.height * 0.02)
    # The terracotta survived the cut-out: the centre is the vase, not white.
    red, green, blue = rgb[main.height // 2 + main.height // 10, main.width // 2]
    assert red > green + 40
    assert red > blue + 60


def test_no_metadata_in_any_output(phone_result: imaging.PhotoResult) -> None:
    for data in (phone_result.main.jpeg, *phone_result.main.thumbnails.values()):
        img = Image.open(io.BytesIO(data))
        assert dict(img.getexif()) == {}
        assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in img.info
        assert "xmp" not in img.info
        assert b"Exif" not in data[:4096]


def test_original_bytes_are_kept_untouched() -> None:
    upload = a_phone_upload(a_photo())

    result = process_photo(upload)

    assert result.original is upload
    assert Image.open(io.BytesIO(result.original)).getexif()[ExifTags.Base.Orientation] == 6


def test_thumbnails(phone_result: imaging.PhotoResult) -> None:
    sizes = {
        side: Image.open(io.BytesIO(data)).size
        for side, data in phone_result.main.thumbnails.items()
    }

    assert sizes == {400: (400, 400), 160: (160, 160)}


def test_good_photo_scores_well(phone_result: imaging.PhotoResult) -> None:
    report = phone_result.quality

    assert {check.name for check in report.checks} == {
        "resolution",
        "blur",
        "exposure",
        "background",
        "fill",
    }
    assert all(check.passed for check in report.checks), [
        (check.name, check.value, str(check.reason)) for check in report.checks
    ]
    assert report.score >= 90
    assert len(report.phash) == 16


def test_small_photo_upscaled_at_most_twice_and_flagged() -> None:
    result = process_photo(jpeg(a_photo(400, 300)))

    main = result.main
    assert main.upscale == 2.0
    assert main.too_small
    assert main.side < 1000
    # The vase is 0.70 × 300 = 210 px tall in the photo; the frame is at most 2 × 210 / 0.85.
    assert main.side <= round(2 * 210 / 0.85) + 6
    check = result.quality.check("resolution")
    assert not check.passed
    assert "too small" in str(check.reason)


def test_photo_enlarged_less_than_twice_reaches_1000_and_says_so() -> None:
    result = process_photo(jpeg(a_photo(1000, 750)))

    assert result.main.side == 1000
    assert 1.0 < result.main.upscale <= 2.0
    assert not result.main.too_small
    assert "enlarged" in str(result.quality.check("resolution").reason)


def test_blurred_photo_scores_lower_on_blur() -> None:
    sharp = a_photo()
    blurred = sharp.filter(ImageFilter.GaussianBlur(6))

    sharp_blur = process_photo(jpeg(sharp)).quality.check("blur")
    soft_blur = process_photo(jpeg(blurred)).quality.check("blur")

    assert soft_blur.value < sharp_blur.value
    assert soft_blur.score < sharp_blur.score
    assert not soft_blur.passed
    assert "blurred" in str(soft_blur.reason)


def test_dark_photo_flagged_on_exposure() -> None:
    result = process_photo(jpeg(a_photo(light=0.25)))

    check = result.quality.check("exposure")
    assert not check.passed
    assert "too dark" in str(check.reason)
    assert result.quality.score < process_photo(jpeg(a_photo())).quality.score


def test_same_photo_reencoded_or_resized_has_a_near_hash() -> None:
    photo = a_photo()
    smaller = photo.resize((800, 600), Image.Resampling.LANCZOS)
    again = Image.open(io.BytesIO(jpeg(smaller, optimize=True)))
    other = a_photo(seed=7, vase=(0.6, 0.45), colour=(70, 110, 60)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )

    assert same_photo(phash(photo), phash(again))
    assert not same_photo(phash(photo), phash(other))
    assert imaging.hamming(phash(photo), phash(photo)) == 0


# --- bad input ---------------------------------------------------------------------------------


def test_random_bytes_named_jpg_are_refused() -> None:
    data = np.random.default_rng(3).bytes(50_000)

    with pytest.raises(ImagingError, match="not a photo we can read"):
        process_photo(data)


def test_empty_file_is_refused() -> None:
    with pytest.raises(ImagingError, match="empty"):
        process_photo(b"")


def test_truncated_jpeg_is_refused() -> None:
    data = jpeg(a_photo(800, 600))

    with pytest.raises(ImagingError, match="damaged or incomplete"):
        process_photo(data[: len(data) // 2])


def a_png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (9000, 8000)])
def test_decompression_bomb_is_refused(width: int, height: int) -> None:
    # 900 MP makes Pillow itself refuse; 72 MP only makes it warn, so our own limit must catch it.
    data = a_png_declaring(width, height)
    assert len(data) < 200

    with pytest.raises(ImagingError, match="more than 60 megapixels"):
        process_photo(data)


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = jpeg(a_photo(1200, 900).convert("CMYK"))
    assert Image.open(io.BytesIO(data)).mode == "CMYK"

    result = process_photo(data)

    main = Image.open(io.BytesIO(result.main.jpeg))
    assert main.mode == "RGB"
    assert tuple(np.asarray(main)[0, 0]) == (255, 255, 255)
    red, green, _blue = np.asarray(main)[main.height // 2 + main.height // 10, main.width // 2]
    assert red > green + 40  # still terracotta, not inverted


def test_16_bit_grey_png_is_scaled_not_clipped() -> None:
    grey = np.asarray(a_photo(1200, 900).convert("L")).astype(np.uint16) * 257
    out = io.BytesIO()
    Image.fromarray(grey).save(out, "PNG")
    assert Image.open(io.BytesIO(out.getvalue())).mode.startswith("I")

    result = process_photo(out.getvalue())

    main = Image.open(io.BytesIO(result.main.jpeg))
    assert main.mode == "RGB"
    assert main.width >= 1000
    centre = np.asarray(main.convert("L"))[main.height // 2 + main.height // 10, main.width // 2]
    assert 40 < centre < 200  # a mid-grey vase, not the white of a clipped conversion


def test_16_bit_rgb_png_is_read() -> None:
    rgb = np.asarray(a_photo(1200, 900)).astype(np.uint16) * 257
    # Pillow cannot write 16-bit RGB PNGs; OpenCV can.
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok

    result = process_photo(encoded.tobytes())

    assert Image.open(io.BytesIO(result.main.jpeg)).mode == "RGB"
    assert result.quality.check("background").passed


def test_rgba_png_is_flattened_on_white() -> None:
    photo = a_photo(1200, 900).convert("RGBA")
    alpha = np.full((900, 1200), 255, np.uint8)
    alpha[:100] = 0  # a transparent top strip
    photo.putalpha(Image.fromarray(alpha))
    out = io.BytesIO()
    photo.save(out, "PNG")

    result = process_photo(out.getvalue())

    main = Image.open(io.BytesIO(result.main.jpeg))
    assert main.mode == "RGB"
    assert result.quality.check("background").passed


def test_palette_png_and_webp_are_read() -> None:
    photo = a_photo(1200, 900)
    palette = io.BytesIO()
    photo.quantize(64).save(palette, "PNG")
    webp = io.BytesIO()
    photo.save(webp, "WEBP", quality=85)

    for data in (palette.getvalue(), webp.getvalue()):
        result = process_photo(data)
        assert Image.open(io.BytesIO(result.main.jpeg)).width >= 1000


@pytest.mark.skipif(not imaging.HEIF_AVAILABLE, reason="pillow-heif is not installed")
def test_heic_is_read() -> None:
    out = io.BytesIO()
    a_photo(1200, 900).save(out, "HEIF", quality=80)

    result = process_photo(out.getvalue())

    assert result.source_format == "HEIF"
    assert Image.open(io.BytesIO(result.main.jpeg)).width >= 1000


def test_other_image_formats_are_refused() -> None:
    out = io.BytesIO()
    a_photo(200, 150).save(out, "GIF")

    with pytest.raises(ImagingError, match="not a photo we can read"):
        process_photo(out.getvalue())


def test_large_photo_is_decoded_reduced_and_keeps_its_real_size() -> None:
    result = process_photo(jpeg(a_photo(4000, 3000)))

    assert result.main.source_size == (4000, 3000)
    assert 1000 <= result.main.side <= 2000
    assert result.main.upscale <= 1.0
    assert result.quality.check("resolution").passed


def test_small_product_in_a_large_photo_leaves_the_clutter_out() -> None:
    # given: a vase 750 px tall in a 12 MP photo with a cloth, a box and a paper at the edges
    result = process_photo(jpeg(a_photo(4000, 3000, vase=(0.12, 0.25))))

    main = Image.open(io.BytesIO(result.main.jpeg))
    left, top, right, bottom = product_box(main)
    assert (bottom - top) / (right - left) == pytest.approx(0.25 / 0.12, rel=0.12)
    assert (bottom - top) / main.height == pytest.approx(0.85, abs=0.07)
    # Decoded again in full: 750 px / 0.85 = 882 px, enlarged a little to 1000, not from 375 px.
    assert main.width == 1000
    assert result.main.upscale < 1.2
