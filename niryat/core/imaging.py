"""Product photos: read an upload safely, make the marketplace main image, and judge its quality.

One call does it all for an upload: `process_photo(data)` returns the main image (square, pure
white background, the product filling about 85 % of the frame, sRGB JPEG, no metadata), web
thumbnails and a quality report. The caller keeps the original bytes; nothing here touches storage
or the database, so the catalogue calls it from a background task.

The steps are public for the catalogue's re-crop and tests: `open_photo` (refuses what is not a
photo we can read, with a sentence for the user), `normalise` (upright, sRGB, 8-bit RGB, no
metadata), `object_mask` (the product against its background), `main_image`, `quality_report`,
and `phash`/`same_photo` for spotting one photo reused on another product.

Segmentation: on a copy at most MASK_SIDE px long, the background is modelled from the colours of
the border band (k-means); pixels far from every border colour seed the product, and GrabCut refines
the split (border = surely background). The mask is then scaled up and applied at full size, so
the cost barely depends on the photo's size.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

try:  # HEIC from iPhones, when the optional pillow-heif is installed.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the machine
    HEIF_AVAILABLE = False

# A 12 MP phone photo is far below; a 60 MP one is the biggest camera we expect. Pillow itself only
# warns between the limit and twice it, so `open_photo` checks the size as well.
MAX_PIXELS: Final = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MAX_BYTES: Final = 50 * 1024 * 1024
FORMATS: Final = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF")  # JPEG covers MPO (phones)

MIN_SIDE: Final = 1000  # marketplaces zoom at 1000 px and above (Amazon, Flipkart)
MAX_SIDE: Final = 2000  # more adds bytes, not detail a buyer sees
MAX_UPSCALE: Final = 2.0  # never enlarge further; a smaller photo is flagged
FILL: Final = 0.85  # the product's longest side over the frame's
FILL_TOLERANCE: Final = 0.07
THUMBNAILS: Final = (400, 160)
JPEG_QUALITY: Final = 90
ORIGINAL_QUALITY: Final = 95  # the kept original: re-encoded once, to drop its metadata
MASK_SIDE: Final = 256  # segmentation resolution; GrabCut's cost grows with the pixel count

# Variance of the Laplacian of the grey product region scaled to BLUR_SIDE px on its longest side.
# Sharp phone photos measure several hundred; below BLUR_THRESHOLD, edges are visibly soft.
BLUR_SIDE: Final = 800
BLUR_THRESHOLD: Final = 100.0
# Mean luminance (0-255) of the product region; clipped = share of it at 250 or above.
DARK_BELOW: Final = 60.0
BRIGHT_ABOVE: Final = 215.0
CLIPPED_ABOVE: Final = 0.05
WHITE_BORDER: Final = 0.98  # share of the main image's border that must be exactly white
# Two 64-bit pHashes at most this many bits apart are the same photo: re-encoding, resizing or a
# light crop moves a few bits (0-6 in our tests), unrelated photos differ by about 32.
SAME_PHOTO_BITS: Final = 10

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
WHITE: Final = (255, 255, 255)

Mask = npt.NDArray[np.uint8]


class ImagingError(Exception):
    """The upload cannot be used as a photo; `message` is a sentence to show the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class ProcessedImage:
    jpeg: bytes  # the main image: square, white background, sRGB JPEG without metadata
    side: int  # px, width = height
    upscale: float  # how much the product was enlarged (1.0 = not at all; at most MAX_UPSCALE)
    too_small: bool  # the source could not reach MIN_SIDE without enlarging past MAX_UPSCALE
    segmented: bool  # False when no product was found and the whole photo was used
    box: tuple[float, float, float, float]  # the product in the source, as fractions (l, t, r, b)
    source_size: tuple[int, int]  # the upright source photo, px
    thumbnails: dict[int, bytes] = field(default_factory=dict)  # longest side → JPEG


@dataclass(frozen=True)
class Check:
    name: str  # resolution, blur, exposure, background, fill
    passed: bool
    score: float  # 0-1
    value: float  # what was measured, in the unit the reason names
    # The sentence for staff, untranslated, with its {placeholders} and their values: the report is
    # made once, in a background task, and read later in each reader's language (`reason_text`).
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str | Promise:
        """The plain-language sentence for staff, in the language active when it is read."""
        return format_lazy(_(self.message), **self.params)


def reason_text(stored: Mapping[str, Any]) -> str:
    """A check as stored (`{"message", "params"}`, or only the English `reason` of older
    reports) as a sentence in the active language."""
    message = stored.get("message") or stored.get("reason", "")
    return gettext(message).format(**stored.get("params", {}))


@dataclass(frozen=True)
class QualityReport:
    score: int  # 0-100
    checks: tuple[Check, ...]
    phash: str  # of the upright original, for `same_photo` against other products' photos

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)


@dataclass(frozen=True)
class PhotoResult:
    original: bytes  # the upload, untouched
    source_format: str
    main: ProcessedImage
    quality: QualityReport


# --- reading ---------------------------------------------------------------------------------


def open_photo(data: bytes, *, max_side: int | None = None) -> Image.Image:
    """Decode an upload, refusing anything that is not a whole photo of a sane size.

    With `max_side`, a JPEG is decoded at a reduced scale (1/2, 1/4, 1/8) that keeps at least
    that many px on its longest side, which is several times faster for a 12 MP photo.
    """
    if not data:
        raise ImagingError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImagingError(
            format_lazy(_("The file is larger than {mb} MB."), mb=MAX_BYTES // (1024 * 1024))
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            too_big = img.width * img.height > MAX_PIXELS
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        too_big = True
    except UnidentifiedImageError:
        raise ImagingError(
            _(
                "This file is not a photo we can read. "
                "Please upload a JPEG, PNG, WebP or HEIC photo."
            )
        ) from None
    except Exception:  # a header the decoder chokes on: corrupt, whatever the exception
        raise ImagingError(_("This photo is damaged and cannot be read.")) from None
    if too_big:
        raise ImagingError(
            format_lazy(
                _("This photo has more than {mp} megapixels. Please upload a smaller one."),
                mp=MAX_PIXELS // 1_000_000,
            )
        )
    if max_side and img.format in ("JPEG", "MPO"):
        ratio = max_side / max(img.size)
        if ratio < 1:
            img.draft(None, (round(img.width * ratio), round(img.height * ratio)))
    try:
        img.load()
    except Exception:  # truncated (OSError), bad markers (SyntaxError), codec errors (ValueError)
        raise ImagingError(
            _("This photo is damaged or incomplete (perhaps the upload was cut off).")
        ) from None
    return img


def normalise(img: Image.Image) -> Image.Image:
    """Upright, sRGB, 8-bit RGB, and a new image: no EXIF (GPS), XMP or ICC profile survives."""
    icc = img.info.get("icc_profile")
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        img = _high_bit_depth_to_l(img)
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info
    ):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    if icc and img.mode in ("RGB", "CMYK"):
        img = _to_srgb(img, icc)
    if img.mode != "RGB":
        img = img.convert("RGB")
    # A copy of the pixels alone: the file's info dict (EXIF, XMP, ICC) stays behind, and a copy
    # has no parsed EXIF, so getexif() on it is empty.
    clean = img.copy()
    clean.info = {}
    return clean


def _high_bit_depth_to_l(img: Image.Image) -> Image.Image:
    # Pillow's own I;16 → L conversion clips at 255 instead of scaling, which whitens the photo.
    values = np.asarray(img).astype(np.float32)
    top = 65535.0 if values.max(initial=0) > 255 else 255.0
    return Image.fromarray(np.clip(values * (255.0 / top) + 0.5, 0, 255).astype(np.uint8), "L")


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if img.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(profile).lower():
            return img
        converted = ImageCms.profileToProfile(img, profile, SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return img  # a broken or mismatched profile: read the pixels as sRGB
    return converted if converted is not None else img


# --- the main image --------------------------------------------------------------------------


def object_mask(img: Image.Image) -> Mask:
    """The product as 255 on 0, at most MASK_SIDE px long (the caller scales it up)."""
    scale = min(1.0, MASK_SIDE / max(img.size))
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    rgb = np.asarray(img.resize(size, Image.Resampling.BOX) if scale < 1 else img)
    height, width = rgb.shape[:2]
    if min(height, width) < 16:
        return np.full((height, width), 255, np.uint8)
    band = max(2, round(min(height, width) * 0.04))

    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    border = np.concatenate(
        [
            lab[:band].reshape(-1, 3),
            lab[-band:].reshape(-1, 3),
            lab[:, :band].reshape(-1, 3),
            lab[:, -band:].reshape(-1, 3),
        ]
    )
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    cv2.setRNGSeed(0)
    # OpenCV's stubs want a labels array; None (allocate one) is what its documentation shows.
    _compactness, _labels, centres = cv2.kmeans(  # type: ignore[call-overload]
        border, 4, None, criteria, 1, cv2.KMEANS_PP_CENTERS
    )
    distance = np.full((height, width), np.inf, np.float32)
    for centre in centres:
        distance = np.minimum(distance, np.linalg.norm(lab - centre, axis=2))
    distance8 = np.clip(distance, 0, 255).astype(np.uint8)
    otsu, _seed = cv2.threshold(distance8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = max(float(otsu), 12.0)
    seed: Any = (distance > threshold).astype(np.uint8)
    seed = cv2.morphologyEx(seed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))

    marks = np.full((height, width), cv2.GC_PR_BGD, np.uint8)
    marks[seed > 0] = cv2.GC_PR_FGD
    sure = cv2.erode((distance > 2 * threshold).astype(np.uint8), np.ones((5, 5), np.uint8))
    marks[sure > 0] = cv2.GC_FGD
    for edge in (np.s_[:band], np.s_[-band:], np.s_[:, :band], np.s_[:, -band:]):
        marks[edge] = cv2.GC_BGD
    if not seed[band:-band, band:-band].any():  # nothing stands out: try the centre
        marks[band * 3 : -band * 3, band * 3 : -band * 3] = cv2.GC_PR_FGD
    try:
        background = np.zeros((1, 65), np.float64)
        foreground = np.zeros((1, 65), np.float64)
        cv2.grabCut(  # type: ignore[call-overload]  # no rect: initialised from the mask
            rgb, marks, None, background, foreground, 3, cv2.GC_INIT_WITH_MASK
        )
        mask: Any = np.where((marks == cv2.GC_FGD) | (marks == cv2.GC_PR_FGD), 255, 0).astype(
            np.uint8
        )
    except cv2.error:  # GrabCut needs samples of both sides; keep the colour-distance seed
        mask = seed * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    # The border band is forced to background, so "touching the edge" means reaching the band.
    return _main_parts(mask, band + 1)


def _main_parts(mask: Mask, margin: int) -> Mask:
    """The product's regions, holes filled: the largest region and any at least a fifth of its
    size (a pair of earrings). Regions touching the photo's edge are clutter (a cloth, a box) as
    long as some region does (within `margin` px); a close-up product touching an edge still
    counts when it is all there is."""
    count, labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    height, width = mask.shape
    regions = range(1, count)
    inside = [
        i
        for i in regions
        if stats[i, cv2.CC_STAT_LEFT] > margin
        and stats[i, cv2.CC_STAT_TOP] > margin
        and stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] < width - margin
        and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] < height - margin
    ]
    candidates = inside or list(regions)
    largest = max(stats[i, cv2.CC_STAT_AREA] for i in candidates)
    keep = [i for i in candidates if stats[i, cv2.CC_STAT_AREA] >= 0.2 * largest]
    kept = np.isin(labels, keep).astype(np.uint8) * 255
    contours, _hierarchy = cv2.findContours(kept, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(kept)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return filled


def main_image(img: Image.Image, mask: Mask | None = None) -> ProcessedImage:
    """The product cut out onto pure white, centred in a square it fills to FILL, as JPEG.

    `img` is a normalised photo; `mask` (from `object_mask`, any scale) is computed when absent.
    """
    if mask is None:
        mask = object_mask(img)
    width, height = img.size
    mask_h, mask_w = mask.shape
    area = np.count_nonzero(mask) / mask.size
    segmented = bool(0.005 <= area <= 0.97)
    if segmented:
        x, y, w, h = cv2.boundingRect(mask)
        box = (x / mask_w, y / mask_h, (x + w) / mask_w, (y + h) / mask_h)
    else:
        box = (0.0, 0.0, 1.0, 1.0)
    left, top = round(box[0] * width), round(box[1] * height)
    right, bottom = max(left + 1, round(box[2] * width)), max(top + 1, round(box[3] * height))
    crop = img.crop((left, top, right, bottom))

    natural = max(crop.size) / FILL  # the frame at the source's own resolution
    if natural >= MIN_SIDE:
        upscale = min(1.0, MAX_SIDE / natural)
    else:
        upscale = min(MIN_SIDE / natural, MAX_UPSCALE)
    too_small = natural * MAX_UPSCALE < MIN_SIDE
    side = MIN_SIDE if natural < MIN_SIDE and not too_small else round(natural * upscale)
    size = (max(1, round(crop.width * upscale)), max(1, round(crop.height * upscale)))
    resampling = Image.Resampling.LANCZOS
    product = crop.resize(size, resampling, reducing_gap=3.0) if size != crop.size else crop

    frame = Image.new("RGB", (side, side), WHITE)
    at = ((side - size[0]) // 2, (side - size[1]) // 2)
    if segmented:
        alpha: Any = mask[
            round(box[1] * mask_h) : round(box[3] * mask_h),
            round(box[0] * mask_w) : round(box[2] * mask_w),
        ]
        alpha = cv2.resize(alpha, size, interpolation=cv2.INTER_LINEAR)
        # Soften the cut by about a source pixel, so edges are not jagged on white.
        alpha = cv2.GaussianBlur(alpha, (3, 3), 0)
        frame.paste(product, at, Image.fromarray(alpha, "L"))
    else:
        frame.paste(product, at)

    thumbnails = {}
    for thumb_side in THUMBNAILS:
        thumb = frame.resize((thumb_side, thumb_side), resampling, reducing_gap=3.0)
        thumbnails[thumb_side] = _jpeg(thumb, quality=85)
    return ProcessedImage(
        jpeg=_jpeg(frame),
        side=side,
        upscale=round(upscale, 3),
        too_small=too_small,
        segmented=segmented,
        box=box,
        source_size=img.size,
        thumbnails=thumbnails,
    )


def _jpeg(img: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=b"")
    return out.getvalue()


# --- quality ---------------------------------------------------------------------------------


def phash(img: Image.Image) -> str:
    """64-bit perceptual hash (DCT of a 32×32 grey copy, low 8×8 against their median), as hex."""
    small = img.convert("L").resize((32, 32), Image.Resampling.LANCZOS, reducing_gap=3.0)
    dct = cv2.dct(np.asarray(small, dtype=np.float32))[:8, :8]
    bits = (dct > np.median(dct)).flatten()
    return f"{int(''.join('1' if bit else '0' for bit in bits), 2):016x}"


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def same_photo(hash_a: str, hash_b: str) -> bool:
    """Whether two pHashes are one photo (re-encoded, resized): at most SAME_PHOTO_BITS apart."""
    return hamming(hash_a, hash_b) <= SAME_PHOTO_BITS


def quality_report(original: Image.Image, processed: ProcessedImage) -> QualityReport:
    """Score a photo 0-100 with a reason per check; `original` is the normalised source photo."""
    width, height = original.size
    box = (
        round(processed.box[0] * width),
        round(processed.box[1] * height),
        max(round(processed.box[0] * width) + 1, round(processed.box[2] * width)),
        max(round(processed.box[1] * height) + 1, round(processed.box[3] * height)),
    )
    product = original.crop(box).convert("L")
    main = Image.open(io.BytesIO(processed.jpeg))
    checks = (
        _resolution(processed),
        _blur(product),
        _exposure(product),
        _background(main),
        _fill(main),
    )
    weights = {"resolution": 20, "blur": 25, "exposure": 20, "background": 15, "fill": 20}
    score = sum(weights[check.name] * check.score for check in checks)
    return QualityReport(score=round(score), checks=checks, phash=phash(original))


def _resolution(processed: ProcessedImage) -> Check:
    longest = max(processed.source_size)
    if processed.too_small:
        return Check(
            "resolution",
            False,
            max(0.0, processed.side / MIN_SIDE - 0.5),
            longest,
            gettext_noop(
                "The photo is too small ({px} px): even enlarged twice the main image is only "
                "{side} px, and marketplaces want {target} px. Take the photo again, closer."
            ),
            {"px": longest, "side": processed.side, "target": MIN_SIDE},
        )
    if processed.upscale > 1:
        return Check(
            "resolution",
            True,
            0.7,
            longest,
            gettext_noop(
                "The product was enlarged {times}× to reach {target} px; a closer photo "
                "would be sharper."
            ),
            {"times": f"{processed.upscale:.2f}", "target": MIN_SIDE},
        )
    return Check(
        "resolution",
        True,
        1.0,
        longest,
        gettext_noop("Large enough: the main image is {side} px."),
        {"side": processed.side},
    )


def _blur(product: Image.Image) -> Check:
    scale = BLUR_SIDE / max(product.size)
    size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    grey = np.asarray(product.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0))
    variance = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    if variance < BLUR_THRESHOLD:
        return Check(
            "blur",
            False,
            variance / BLUR_THRESHOLD * 0.6,
            round(variance, 1),
            gettext_noop(
                "The photo is blurred. Hold the phone still, tap the product to focus, and retake."
            ),
        )
    return Check("blur", True, 1.0, round(variance, 1), gettext_noop("The photo is sharp."))


def _exposure(product: Image.Image) -> Check:
    histogram = np.asarray(product.histogram(), dtype=np.float64)
    total = histogram.sum() or 1.0
    mean = float((histogram * np.arange(256)).sum() / total)
    clipped = float(histogram[250:].sum() / total)
    if mean < DARK_BELOW:
        return Check(
            "exposure",
            False,
            max(0.0, mean / DARK_BELOW * 0.6),
            round(mean, 1),
            gettext_noop(
                "The photo is too dark. Take it in daylight or with more light on the product."
            ),
        )
    if mean > BRIGHT_ABOVE:
        return Check(
            "exposure",
            False,
            max(0.0, (255 - mean) / (255 - BRIGHT_ABOVE) * 0.6),
            round(mean, 1),
            gettext_noop("The photo is too bright: the product looks washed out. Use less light."),
        )
    if clipped > CLIPPED_ABOVE:
        return Check(
            "exposure",
            False,
            0.6,
            round(mean, 1),
            gettext_noop(
                "Parts of the product are pure white glare. Avoid direct flash or sunlight."
            ),
        )
    return Check("exposure", True, 1.0, round(mean, 1), gettext_noop("The exposure is good."))


def _background(main: Image.Image) -> Check:
    rgb = np.asarray(main)
    band = max(1, round(main.width * 0.02))
    border = np.concatenate(
        [
            rgb[:band].reshape(-1, 3),
            rgb[-band:].reshape(-1, 3),
            rgb[:, :band].reshape(-1, 3),
            rgb[:, -band:].reshape(-1, 3),
        ]
    )
    white = float(np.all(border == 255, axis=1).mean())
    if white < WHITE_BORDER:
        return Check(
            "background",
            False,
            white * 0.6,
            round(white, 3),
            gettext_noop(
                "The background is not clean white all round: part of the surroundings was kept. "
                "Re-crop, or photograph the product against a plain wall."
            ),
        )
    return Check(
        "background", True, 1.0, round(white, 3), gettext_noop("The background is pure white.")
    )


def _fill(main: Image.Image) -> Check:
    grey = np.asarray(main.convert("L"))
    rows = np.flatnonzero((grey < 245).any(axis=1))
    cols = np.flatnonzero((grey < 245).any(axis=0))
    if rows.size == 0:
        return Check(
            "fill", False, 0.0, 0.0, gettext_noop("No product could be found in the photo.")
        )
    fill = float(max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) / main.width)
    if abs(fill - FILL) > FILL_TOLERANCE:
        return Check(
            "fill",
            False,
            max(0.0, 1 - abs(fill - FILL) * 3),
            round(fill, 3),
            gettext_noop(
                "The product fills {fill} % of the frame instead of about {target} %. Re-crop."
            ),
            {"fill": round(fill * 100), "target": round(FILL * 100)},
        )
    return Check(
        "fill",
        True,
        1.0,
        round(fill, 3),
        gettext_noop("The product fills {fill} % of the frame."),
        {"fill": round(fill * 100)},
    )


# --- one upload ------------------------------------------------------------------------------


def clean_original(data: bytes) -> tuple[bytes, str, tuple[int, int]]:
    """The upload as we keep it: upright, sRGB, without EXIF (GPS), XMP or ICC, as a high-quality
    JPEG. Returns (jpeg, source format, size). Raises ImagingError for anything unreadable."""
    img = open_photo(data)
    source_format = img.format or ""
    photo = normalise(img)
    return _jpeg(photo, quality=ORIGINAL_QUALITY), source_format, photo.size


def process_photo(
    data: bytes,
    *,
    crop: tuple[float, float, float, float] | None = None,
    keep_original: bool = False,
) -> PhotoResult:
    """Everything for one upload: main image, thumbnails and quality report. Raises ImagingError.

    A JPEG is first decoded at a reduced scale (1/2 for a 12 MP photo, at least MAX_SIDE px long),
    three to four times faster than in full. If the product then measures less than the
    MIN_SIDE × FILL px a main image needs, the photo is decoded again in full rather than enlarged,
    so a main image is only ever enlarged when the photo itself is too small. The trade: a 12 MP
    photo of a product filling 70 % of it gives a main image of about 1200 px, not 2000.

    `crop` (fractions left, top, right, bottom of the upright photo) is where staff say the
    product is; `keep_original` lists the photo itself, only made upright and clean.
    """
    img = open_photo(data, max_side=MAX_SIDE)
    source_format = img.format or ""
    full = Image.open(io.BytesIO(data)).size  # header only, already validated
    photo = normalise(img)
    if crop is not None:
        photo = _crop(photo, crop)
    if keep_original:
        processed = as_is(photo)
        return PhotoResult(data, source_format, processed, quality_report(photo, processed))
    mask = object_mask(photo)
    reduced = img.size != full
    if reduced:
        _x, _y, w, h = cv2.boundingRect(mask)
        product_px = max(w / mask.shape[1] * photo.width, h / mask.shape[0] * photo.height)
        if product_px < MIN_SIDE * FILL:  # it would have to be enlarged: use every pixel
            photo = normalise(open_photo(data))
            if crop is not None:
                photo = _crop(photo, crop)
            reduced = False
    processed = main_image(photo, mask)
    if reduced:  # report the photo's real size, not that of the reduced decode
        factor = full[0] / img.width
        upright = (round(photo.width * factor), round(photo.height * factor))
        processed = replace(processed, source_size=upright)
    return PhotoResult(
        original=data,
        source_format=source_format,
        main=processed,
        quality=quality_report(photo, processed),
    )


def _crop(photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    left, top, right, bottom = (min(1.0, max(0.0, float(v))) for v in box)
    if right - left < 0.05 or bottom - top < 0.05:
        raise ImagingError(_("The crop is too small: choose a larger part of the photo."))
    width, height = photo.size
    return photo.crop(
        (round(left * width), round(top * height), round(right * width), round(bottom * height))
    )


def as_is(photo: Image.Image) -> ProcessedImage:
    """The photo itself as the listing image: no cut-out, at most MAX_SIDE px, no metadata."""
    scale = min(1.0, MAX_SIDE / max(photo.size))
    size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
    resized = photo.resize(size, Image.Resampling.LANCZOS) if scale < 1 else photo
    thumbnails = {}
    for side in THUMBNAILS:
        thumb = resized.copy()
        thumb.thumbnail((side, side), Image.Resampling.LANCZOS)
        thumbnails[side] = _jpeg(thumb, quality=85)
    return ProcessedImage(
        jpeg=_jpeg(resized),
        side=max(size),
        upscale=1.0,
        too_small=max(photo.size) < MIN_SIDE,
        segmented=False,
        box=(0.0, 0.0, 1.0, 1.0),
        source_size=photo.size,
        thumbnails=thumbnails,
    )
