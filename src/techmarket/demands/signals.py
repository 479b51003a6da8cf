"""Signals other apps listen to, so that demands never import them (matching and docking depend on it).

``demand_published`` is sent inside the publishing transaction: the docking app starts the response
clock in it, the matching app queues the first suggestions after it commits.
"""

from django.dispatch import Signal

demand_published = Signal()  # sender=Demand, demand=…, actor=…
demand_closed = Signal()  # sender=Demand, demand=…, actor=…
