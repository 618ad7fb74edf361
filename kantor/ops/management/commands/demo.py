"""``kantor demo``: load the demo data (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kantor.ops.demo import load_demo


class Command(BaseCommand):
    help = "Create demo staff, three demo customers with balances, and rates (idempotent)."

    def handle(self, *args, **options):
        load_demo(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
