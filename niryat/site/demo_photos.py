"""Drawn product photos for the demo: a textured object on a grey table, as a phone would take it.

They go through the real imaging pipeline (cut out, put on white, judged), so the texture matters:
a flat drawing would be judged blurred. Each shape is a few ellipses and boxes, enough to tell a
horse from a sari on the product pages.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 1200, 900

Mask = np.ndarray
Grid = tuple[np.ndarray, np.ndarray]


def _ellipse(grid: Grid, cx: float, cy: float, rx: float, ry: float) -> Mask:
    ys, xs = grid
    return ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1


def _box(grid: Grid, x0: float, y0: float, x1: float, y1: float) -> Mask:
    ys, xs = grid
    return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)


def _horse(grid: Grid) -> Mask:
    body = _ellipse(grid, 600, 450, 210, 110)
    neck = _box(grid, 700, 250, 780, 450)
    head = _ellipse(grid, 790, 250, 90, 55)
    legs = (
        _box(grid, 440, 500, 480, 700)
        | _box(grid, 530, 500, 570, 700)
        | _box(grid, 640, 500, 680, 700)
        | _box(grid, 720, 500, 760, 700)
    )
    return body | neck | head | legs


def _lamp(grid: Grid) -> Mask:
    # An elephant: a wide low body, a head to one side and a trunk down to the ground.
    return (
        _ellipse(grid, 560, 480, 260, 140)
        | _ellipse(grid, 830, 380, 100, 90)
        | _box(grid, 880, 400, 930, 680)
        | _box(grid, 380, 560, 440, 680)
        | _box(grid, 660, 560, 720, 680)
    )


def _diyas(grid: Grid) -> Mask:
    mask = np.zeros_like(grid[0], dtype=bool)
    for row, y in enumerate((360, 560)):
        for col in range(3):
            mask |= _ellipse(grid, 380 + col * 220 + row * 30, y, 95, 55)
    return mask


def _vase(grid: Grid) -> Mask:
    # Tall and slim, with a flared mouth: unlike the round lamp and pot.
    return (
        _ellipse(grid, 600, 540, 120, 230)
        | _box(grid, 565, 130, 635, 400)
        | _ellipse(grid, 600, 140, 110, 35)
    )


def _plate(grid: Grid) -> Mask:
    return _ellipse(grid, 600, 450, 300, 300)


def _cloth(grid: Grid) -> Mask:
    return _box(grid, 330, 170, 870, 730)


def _pot(grid: Grid) -> Mask:
    return _ellipse(grid, 600, 500, 240, 190) | _box(grid, 500, 230, 700, 420)


SHAPES = {
    "horse": _horse,
    "lamp": _lamp,
    "diyas": _diyas,
    "vase": _vase,
    "plate": _plate,
    "cloth": _cloth,
    "pot": _pot,
}


def product_photo(shape: str, colour: tuple[int, int, int], *, seed: int = 1) -> bytes:
    """A JPEG of the product `shape` in `colour`, ridged and speckled, on a noisy grey table."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    grey = 150 + 40 * (ys / HEIGHT) - 25 * (xs / WIDTH)
    img = np.repeat(grey[..., None], 3, axis=2)
    img += rng.normal(0, 6, img.shape)
    mask = SHAPES[shape]((ys, xs))
    shade = 0.8 + 0.2 * np.cos((xs - WIDTH / 2) / WIDTH * 3.0)
    ridges = 1 + 0.1 * np.sin(ys / 4.0) + 0.06 * np.sin(xs / 5.0)
    speckle = rng.normal(1, 0.1, (HEIGHT, WIDTH))
    for channel, value in enumerate(colour):
        layer = img[..., channel]
        layer[mask] = (value * shade * ridges * speckle)[mask]
    buffer = BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
