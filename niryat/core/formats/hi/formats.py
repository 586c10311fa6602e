"""Hindi dates in the English styles (the month names come from the translations), and numbers
grouped in lakhs and crores."""

from niryat.core.formats.en.formats import *  # noqa: F403

NUMBER_GROUPING = (3, 2, 0)  # lakh and crore: 12,34,567
