"""``kantor payouts``: payment files for the bank (WD-4).

  kantor payouts export [--currency EUR] [--out DIR] [--json]
  kantor payouts batches [--json]
  kantor payouts write BATCH_ID [--out DIR]

``export`` puts every received payout into one ISO 20022 pain.001 file per
currency, marks them sent (in one transaction), then writes the files to
``--out`` (default ``KANTOR_PAYOUT_DIR``, ``var/payouts``). The files are also
kept in the database: ``write`` writes a batch again (e.g. when the disk was
full). Upload them to the bank; its statements then settle or return each
payout (``kantor statement import``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from kantor.banking import actions
from kantor.banking.cli import (
    acting_user,
    add_acting_user_option,
    dump_json,
    object_or_error,
    run,
    table,
)
from kantor.banking.conf import payout_dir
from kantor.banking.models import PayoutBatch


def _write(batch: PayoutBatch, out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / batch.file_name
        path.write_text(batch.content, encoding="utf-8")
    except OSError as error:
        raise CommandError(
            f"--out: cannot write {out}: {error.strerror}; the batch is saved, "
            f"write it again with: kantor payouts write {batch.pk}"
        ) from None
    return path


def _summary(batch: PayoutBatch, path: Path | None = None) -> dict:
    return {
        "batch": batch.pk,
        "currency": batch.currency,
        "payouts": batch.payout_count,
        "total": str(batch.total),
        "messageId": batch.message_id,
        "sha256": batch.sha256,
        "file": str(path) if path else batch.file_name,
    }


class Command(BaseCommand):
    help = "Export payouts as ISO 20022 pain.001 files and mark them sent (WD-4)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        export = sub.add_parser("export", help="write the files and mark the payouts sent")
        export.add_argument("--currency")
        export.add_argument("--out", help="directory (default: KANTOR_PAYOUT_DIR)")
        export.add_argument("--json", action="store_true")
        add_acting_user_option(export)
        batches = sub.add_parser("batches", help="the files made so far")
        batches.add_argument("--limit", type=int, default=20)
        batches.add_argument("--json", action="store_true")
        write = sub.add_parser("write", help="write a batch's file again")
        write.add_argument("batch")
        write.add_argument("--out")

    @no_translations
    def handle(self, *args, subcommand: str, **options) -> None:
        getattr(self, f"do_{subcommand}")(options)

    def do_export(self, options: dict) -> None:
        user = acting_user(options.get("staff"))
        made = run(
            lambda: actions.export_payouts(currency=options.get("currency"), acting_user=user)
        )
        out = Path(options.get("out") or payout_dir())
        result = [_summary(batch, _write(batch, out)) for batch in made]
        if options["json"]:
            self.stdout.write(dump_json(result))
            return
        if not result:
            self.stdout.write("Nothing to pay out.")
        for r in result:
            self.stdout.write(f"{r['file']}: {r['payouts']} payouts, {r['total']}")

    def do_batches(self, options: dict) -> None:
        data = [_summary(b) for b in PayoutBatch.objects.order_by("-id")[: options["limit"]]]
        if options["json"]:
            self.stdout.write(dump_json(data))
            return
        rows = [("ID", "CUR", "PAYOUTS", "TOTAL", "FILE")]
        rows += [
            (str(d["batch"]), d["currency"], str(d["payouts"]), d["total"], d["file"]) for d in data
        ]
        for line in table(rows):
            self.stdout.write(line)

    def do_write(self, options: dict) -> None:
        batch = object_or_error(PayoutBatch, options["batch"], "batch")
        path = _write(batch, Path(options.get("out") or payout_dir()))
        self.stdout.write(str(path))
