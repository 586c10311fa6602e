"""Re-encrypt every stored marketplace credential and ONDC private key under the newest key of
CHANNEL_SECRET_KEYS.

Rotation: put a new key in front of CHANNEL_SECRET_KEYS (keep the old one after it), restart,
run this command, then drop the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from niryat.channels.models import ChannelAccount, OndcNode
from niryat.channels.secrets import rotate


class Command(BaseCommand):
    help = "Re-encrypt marketplace credentials under the newest CHANNEL_SECRET_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            accounts = ChannelAccount.objects.select_for_update().exclude(credentials_encrypted="")
            for account in accounts:
                account.credentials_encrypted = rotate(account.credentials_encrypted)
                account.save(update_fields=["credentials_encrypted", "updated_at"])
                count += 1
            nodes = 0
            for node in OndcNode.objects.select_for_update():
                node.private_keys_encrypted = rotate(node.private_keys_encrypted)
                node.save(update_fields=["private_keys_encrypted", "updated_at"])
                nodes += 1
        self.stdout.write(
            f"Re-encrypted the credentials of {count} accounts and the keys of {nodes} ONDC nodes."
        )
