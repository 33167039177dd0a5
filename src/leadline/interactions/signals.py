"""Signals other layers may follow without the domain importing them.

`event_recorded` is sent inside the transaction that wrote an InteractionEvent, so a
receiver that writes rows (the outbound webhooks' deliveries) commits or rolls back
with the event itself: nothing is announced that did not happen, nothing that
happened is lost.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with event=<InteractionEvent> right after the row is created.
event_recorded = Signal()
