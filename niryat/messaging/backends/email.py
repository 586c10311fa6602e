"""Email through Django's mail backend (settings.EMAIL_BACKEND)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from niryat.messaging.backends.base import Backend, Delivery, ProviderError


class EmailBackend(Backend):
    def send(self, delivery: Delivery) -> str:
        subject = delivery.text.split("\n", 1)[0][:78]
        try:
            send_mail(subject, delivery.text, settings.DEFAULT_FROM_EMAIL, [delivery.to])
        except OSError as exc:  # SMTP down: try again later
            raise ProviderError(f"email: {exc}") from exc
        return delivery.key
