"""GeM (Government e-Marketplace): no public seller API, so Niryat prepares the catalogue sheet and
the seller's document checklist, and staff record the GeM catalogue id and status by hand."""

from niryat.channels.gem.channel import GemChannel
from niryat.channels.gem.documents import DocumentItem, document_checklist

__all__ = ["DocumentItem", "GemChannel", "document_checklist"]
