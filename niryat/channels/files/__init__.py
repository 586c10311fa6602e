"""Listing data as spreadsheets, for marketplaces a seller cannot reach through an API."""

from niryat.channels.files.channel import FilesChannel, listing_sheet

__all__ = ["FilesChannel", "listing_sheet"]
