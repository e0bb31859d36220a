"""What learning tells the apps that listen, so that it imports none of them."""

from django.dispatch import Signal

# Sent after the transaction that completed an enrollment commits; `enrollment`.
enrollment_completed = Signal()
