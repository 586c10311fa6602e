"""ONDC's retail vocabulary as its log-validation utility checks it (1.2.0): the categories of
Fashion (RET12) and Home and kitchen (RET16) a district's goods fit, the attributes each category
takes and requires, the fabric and size values it accepts, and which ODOP products go where by
default. Source: ONDC-Official/log-validation-utility@4d1336214435, `utils/enum.ts`
(FashionCategories, homeCategories), `constants/fashion.ts`, `constants/fashionEnum.ts` (FABRIC,
SIZE, GENDER) and `constants/category.ts` (homeJSON); shared/ONDC_FACTS.md §2.3."""

from __future__ import annotations

import re
from dataclasses import dataclass

FASHION = "ONDC:RET12"  # models.OndcDomain.FASHION
HOME = "ONDC:RET16"  # models.OndcDomain.HOME

# Sizes every RET12 clothing category here accepts besides its own list (fashionEnum.ts SIZE, the
# letter sizes; numeric and age sizes are in SIZE too and are matched against it below).
LETTER_SIZES = (
    "XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "2XL", "3XL", "4XL", "5XL", "6XL", "7XL",
    "8XL", "9XL", "10XL", "Free Size",
)  # fmt: skip
NUMERIC_SIZE = re.compile(
    r"^(\d{2}|\d{2} Alterable|UK\d{1,2}(\.5)?|IND-\d{1,2}|\d+-\d+ (Years|Months))$"
)


@dataclass(frozen=True)
class FashionCategory:
    """A RET12 category: the size values it accepts (None: the utility's long SIZE list) and
    whether it requires a size chart and a fabric (fashion.ts: all these require gender, colour,
    colour_name, size and brand)."""

    sizes: tuple[str, ...] | None
    size_chart: bool = True
    fabric: bool = True


FREE_SIZE = ("Free Size",)
FASHION_CATEGORIES: dict[str, FashionCategory] = {
    "Sarees": FashionCategory(FREE_SIZE),
    "Dupattas & Shawls": FashionCategory(FREE_SIZE),
    "Kurtas & Kurta Sets": FashionCategory(None),
    "Kurtis, Tunics": FashionCategory(None),
    "Shirts": FashionCategory(None),
    "Dress Materials": FashionCategory(None),
    "Ethnic Wear": FashionCategory(LETTER_SIZES),
    "Lehenga Cholis": FashionCategory(("Semi Stitched", "Un Stitched", "Free Size")),
    "Unstitched Fabrics": FashionCategory(("Free Size",), size_chart=False),
    "Towels": FashionCategory(None, size_chart=False, fabric=False),
    "Handbags": FashionCategory(FREE_SIZE, size_chart=False, fabric=False),
}

# homeJSON: every category requires brand, colour (hex), colour_name and material, but these
# four, where colour is optional ("Gift Voucher" takes nothing and is left out).
HOME_CATEGORIES: tuple[str, ...] = (
    "Home Decor",
    "Home Furnishing - Bedding and Linen",
    "Furniture",
    "Serveware",
    "Cookware",
    "Kitchen Tools",
    "Kitchen Storage and Containers",
    "Bathroom and Kitchen fixtures",
    "Garden & Outdoor",
    "Toys and Games",
    "Stationery",
    "Sports and Fitness Equipment",
    "Pooja Needs",
    "Party and Festive Needs",
)
HOME_COLOUR_OPTIONAL = frozenset({"Pooja Needs", "Party and Festive Needs"})
# The attributes homeJSON knows; any other code is "Invalid attribute".
HOME_ATTRIBUTES = frozenset(
    {"brand", "colour", "colour_name", "material", "size", "weight", "length", "breadth", "height",
     "model", "assembly_required", "care_instructions", "special_features"}
)  # fmt: skip

CATEGORIES: dict[str, tuple[str, ...]] = {
    FASHION: tuple(FASHION_CATEGORIES),
    HOME: HOME_CATEGORIES,
}

GENDERS = ("male", "female", "boy", "girl", "infant", "unisex")

FABRICS = (
    "acrylic", "art silk", "bamboo", "chambray", "chanderi cotton", "chanderi silk", "chiffon",
    "cotton", "cotton blend", "cotton cambric", "cotton linen", "cotton silk", "crepe", "denim",
    "dupion silk", "elastane", "georgette", "jacquard", "jute", "jute cotton", "jute silk",
    "khadi cotton", "kora muslin", "lace", "leather", "linen", "mulmul", "modal", "net", "nylon",
    "organza", "paper silk", "pashmina", "poly chiffon", "poly crepe", "poly georgette",
    "poly silk", "polycotton", "polyester", "rayon", "rayon slub", "satin", "shantoon", "silk",
    "silk blend", "soft silk", "super net", "synthetic", "taffeta silk", "tissue", "tussar silk",
    "velvet", "vichitra silk", "viscose", "viscose rayon", "voile", "wool",
)  # fmt: skip


def ondc_fabric(text: str, *, khadi: bool = False) -> str:
    """The fabric value ONDC accepts for what staff wrote ("100% cotton mulmul" → "cotton
    mulmul" is not one; the most specific of ONDC's fabrics named in it is: "mulmul"), "" when
    the text names none. Khadi is hand-spun cotton: a khadi unit's "cotton" is "khadi cotton"."""
    words = " ".join(re.findall(r"[a-z]+", text.lower()))
    if khadi and words in {"cotton", "khadi", "khadi cotton"}:
        return "khadi cotton"
    if words in FABRICS:
        return words
    # The longest fabric named; of equally long ones the last (English puts the noun last:
    # "cotton mulmul" is mulmul).
    named = [
        (len(fabric), found.start(), fabric)
        for fabric in FABRICS
        if (found := re.search(rf"\b{re.escape(fabric)}\b", words))
    ]
    return max(named)[2] if named else ""


def ondc_size(category: str, size: str) -> str:
    """The size value the category accepts for the SKU's size, "" when it accepts none of it.
    A category whose only size is "Free Size" (sarees, dupattas) takes it for a SKU without one."""
    rules = FASHION_CATEGORIES.get(category)
    if rules is None:
        return size
    allowed = rules.sizes
    if not size.strip():
        return "Free Size" if allowed == FREE_SIZE else ""
    wanted = size.strip().lower()
    for value in allowed or LETTER_SIZES:
        if value.lower() == wanted:
            return value
    if allowed is None and NUMERIC_SIZE.match(size.strip()):
        return size.strip()
    return ""


# Words of an ODOP product's English name, and where its goods go by default (the first rule that
# matches). Staff change any of it on the ONDC domains page.
DEFAULT_RULES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("saree", "sari"), FASHION, "Sarees"),
    (("shawl", "dupatta"), FASHION, "Dupattas & Shawls"),
    (("chikan", "khadi", "garment", "apparel", "hosiery", "school dress"), FASHION,
     "Kurtas & Kurta Sets"),
    (("zari", "zardozi", "embroidery"), FASHION, "Dress Materials"),
    (("handloom", "textile", "terricot", "powerloom"), FASHION, "Unstitched Fabrics"),
    (("home furnishing", "bedsheet"), HOME, "Home Furnishing - Bedding and Linen"),
    (("furniture",), HOME, "Furniture"),
    (("toy",), HOME, "Toys and Games"),
    (("brass", "metal", "aluminium utensil"), HOME, "Serveware"),
    (("carpet", "dari", "terracotta", "pottery", "ceramic", "wood", "craft", "decorative",
      "glass", "stone", "moonj", "bamboo", "jute", "horn", "paper", "wall hanging", "tarkashi",
      "meenakari", "rushes", "banana fibre"), HOME, "Home Decor"),
)  # fmt: skip


def default_mapping(odop_name_en: str) -> tuple[str, str]:
    """(domain, category) for an ODOP product by its English name; ("", "") when it is neither
    fashion nor home goods (food, perfume, locks...)."""
    name = odop_name_en.lower()
    for words, domain, category in DEFAULT_RULES:
        if any(word in name for word in words):
            return domain, category
    return "", ""


# Colour names as the catalogue's vocabulary writes them in English (catalog/data/
# attribute_terms.csv) → the hex ONDC asks for, where the name is one of CSS's named colours (W3C
# CSS Color Module Level 4, §6.1 "Named Colors"): the standard meaning of the word, not our
# guess. Colours without a standard value (saffron, terracotta, cream, off-white, natural,
# multicolour) need the hex written on the SKU ("colour code").
NAMED_COLOURS: dict[str, str] = {
    "black": "#000000", "blue": "#0000FF", "brown": "#A52A2A", "gold": "#FFD700",
    "green": "#008000", "grey": "#808080", "gray": "#808080", "maroon": "#800000",
    "navy": "#000080", "navy blue": "#000080", "orange": "#FFA500", "pink": "#FFC0CB",
    "purple": "#800080", "red": "#FF0000", "silver": "#C0C0C0", "sky blue": "#87CEEB",
    "white": "#FFFFFF", "yellow": "#FFFF00", "beige": "#F5F5DC", "ivory": "#FFFFF0",
    "magenta": "#FF00FF", "olive": "#808000", "teal": "#008080", "turquoise": "#40E0D0",
    "violet": "#EE82EE", "indigo": "#4B0082", "khaki": "#F0E68C", "cyan": "#00FFFF",
    "crimson": "#DC143C", "coral": "#FF7F50", "peach puff": "#FFDAB9", "lavender": "#E6E6FA",
}  # fmt: skip
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def colour_name(english: str) -> str:
    """ONDC's colour_name: lower-case letters and spaces ("Off-white" → "off white")."""
    return " ".join(re.findall(r"[a-z]+", english.lower()))


def colour_hex(english: str, written: str = "") -> str:
    """The colour's hex: the one staff wrote, else the standard value of its name; "" if none."""
    if HEX_COLOUR.match(written.strip()):
        return written.strip().upper()
    return NAMED_COLOURS.get(colour_name(english), "")
