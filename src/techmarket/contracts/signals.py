"""What other apps learn of contracts (statistics subscribe; contracts import none of them).

Each is sent inside the transaction that made the change, so a subscriber's writes commit or roll
back with it.
"""

from django.dispatch import Signal

# sender=TechContract, contract=<TechContract> — a contract was registered (登记).
contract_registered = Signal()
# sender=Receipt, receipt=<Receipt> — a receipt was confirmed by the registry.
receipt_confirmed = Signal()
# sender=Amendment, amendment=<Amendment>, previous_total=Decimal, previous_certified=Decimal — registered.
amendment_registered = Signal()
