"""``techmarket verify-auction ID``: recompute an auction's hash chain and outcome from its bid log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.trading import ledger
from techmarket.trading.types import Auction


class Command(BaseCommand):
    help = (
        "Recompute an auction's bid-log hash chain and its outcome from the log alone and compare them "
        "with the stored result; exit status 1 when they differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("auction_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            auction = Auction.objects.get(pk=options["auction_id"])
        except Auction.DoesNotExist:
            raise CommandError(f"auction {options['auction_id']} does not exist") from None
        result = ledger.verify(auction)
        self.stdout.write(f"auction {auction.pk} ({auction.kind}, {auction.state})")
        self.stdout.write(f"log entries: {result.entries}")
        self.stdout.write(f"final hash:  {result.final_hash}")
        if result.book is not None:
            self.stdout.write(f"replayed price: {result.book.price}, leader: {result.book.leader}")
        if result.outcome is not None:
            verdict = "sold" if result.outcome.sold else f"failed ({result.outcome.reason})"
            self.stdout.write(f"replayed outcome: {verdict}")
        if result.ok:
            self.stdout.write(self.style.SUCCESS("OK: the chain and the outcome match the stored result"))
            return
        for problem in result.problems:
            self.stderr.write(f"MISMATCH {problem}")
        raise CommandError(f"auction {auction.pk}: {len(result.problems)} mismatch(es)", returncode=1)
