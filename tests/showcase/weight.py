"""What a page of the showcase weighs on a phone's first visit: the HTML and the stylesheet as
gzip sends them, and every image the page names, in the width the phone's browser picks from its
srcset for its screen (all of them: on a slow connection Chrome starts lazy images long before
they scroll into view, so none is left out)."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

PHONE_WIDTH = 360  # CSS px


@dataclass(frozen=True)
class Weight:
    html: int  # gzip bytes
    css: int  # gzip bytes
    images: int  # bytes (JPEG and SVG, as sent)
    image_count: int

    @property
    def total(self) -> int:
        return self.html + self.css + self.images


def _attr(tag: str, name: str) -> str:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found.group(1).replace("&amp;", "&") if found else ""


def _slot_width(sizes: str, viewport: int) -> float:
    """The CSS px width a `sizes` attribute gives an image on this viewport."""
    for part in (p.strip() for p in sizes.split(",")):
        condition = re.match(r"\(max-width:\s*(\d+)px\)\s*(.+)", part)
        if condition:
            if viewport > int(condition.group(1)):
                continue
            part = condition.group(2).strip()
        if part.endswith("vw"):
            return viewport * float(part[:-2]) / 100
        if part.endswith("px"):
            return float(part[:-2])
    return float(viewport)


def pick(tag: str, dpr: float, viewport: int = PHONE_WIDTH) -> str:
    """The address the browser fetches for an <img>: the narrowest srcset candidate at least as
    wide as the slot on this screen, else the widest."""
    srcset = _attr(tag, "srcset")
    if not srcset:
        return _attr(tag, "src")
    candidates = sorted(
        (int(width[:-1]), url)
        for url, width in (c.strip().rsplit(" ", 1) for c in srcset.split(","))
    )
    needed = _slot_width(_attr(tag, "sizes"), viewport) * dpr
    for width, url in candidates:
        if width >= needed:
            return url
    return candidates[-1][1]


def first_load(client: Client, path: str, *, dpr: float = 1.0) -> Weight:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content
    css = 0
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html):
        name = href.decode().removeprefix("/static/")
        found = finders.find(name)
        assert found, name
        css += len(gzip.compress(Path(str(found)).read_bytes(), compresslevel=6))
    images = 0
    tags = re.findall(r"<img\b[^>]*>", html.decode())
    for tag in tags:
        image = client.get(pick(tag, dpr))
        assert image.status_code == 200, tag
        images += len(image.content)
    return Weight(
        html=len(gzip.compress(html, compresslevel=6)),
        css=css,
        images=images,
        image_count=len(tags),
    )
