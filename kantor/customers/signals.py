"""Signals other apps listen to; sent after the action's transaction commits."""

from django.dispatch import Signal

#: Sent with ``customer``, ``old_status``, ``new_status``, ``reason`` once a
#: status change committed: the market cancels a terminated customer's orders
#: (TERM-3), the notifications app tells the customer.
customer_status_changed = Signal()
