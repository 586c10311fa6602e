"""Backends that send nothing out: the console (`make run`: each message goes to the log) and
memory (tests read `outbox`, as with Django's locmem email backend)."""

from __future__ import annotations

import logging
import threading
from itertools import count

from niryat.messaging.backends.base import Backend, Delivery

logger = logging.getLogger("niryat.messaging")

# Messages the memory backends "sent", oldest first; tests read and clear it.
outbox: list[Delivery] = []
_ids = count(1)
_lock = threading.Lock()


class ConsoleBackend(Backend):
    def send(self, delivery: Delivery) -> str:
        logger.info(
            "%s to %s (%s): %s", delivery.channel, delivery.to, delivery.template, delivery.text
        )
        with _lock:
            return f"console-{next(_ids)}"


class MemoryBackend(Backend):
    def send(self, delivery: Delivery) -> str:
        with _lock:
            outbox.append(delivery)
            return f"memory-{next(_ids)}"
