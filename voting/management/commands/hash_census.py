"""Hash a municipality's plain census offline: `manage.py hash_census --site HOST plain.csv > hashed.csv`.

Input: UTF-8 CSV with the header `name,birth_date,code,district` (district optional), where
`code` is the road name and building number (or the household code, as the municipality's
settings say). Output: `identity_hash,birth_date,district`, ready for Admin → Census import.
Uses CENSUS_KEY from the environment and the site's census salt (or `--salt`). Nothing is
written to the database.
"""

import csv
import datetime
import sys
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from voting import hashing
from voting.models import VotingSettings


def _hash_row(args):
    name, born, code, salt, key = args
    return hashing.census_hash(name, born, code, salt, key=key)


class Command(BaseCommand):
    help = "Hash a plain census CSV (name,birth_date,code,district) for the census import."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the plain census CSV, or - for standard input")
        parser.add_argument("--site", help="hostname of the municipality's site")
        parser.add_argument("--salt", help="the census salt, if the database is not at hand")
        parser.add_argument("--jobs", type=int, default=1, help="processes to hash with")

    def handle(self, *args, **options):
        salt = options["salt"]
        if not salt:
            if not options["site"]:
                raise CommandError("Give --site HOSTNAME (or --salt).")
            site = Site.objects.filter(hostname=options["site"]).first()
            if site is None:
                raise CommandError(f"No site with the hostname {options['site']}.")
            salt = VotingSettings.for_site(site).census_salt
        key = hashing.census_key()
        source = (
            sys.stdin if options["file"] == "-" else open(options["file"], encoding="utf-8-sig")
        )
        with source:
            reader = csv.reader(source)
            header = [cell.strip().lower() for cell in next(reader, [])]
            if header[:3] != ["name", "birth_date", "code"] or header[3:] not in ([], ["district"]):
                raise CommandError("The first line must be: name,birth_date,code,district")
            rows = []
            for line, record in enumerate(reader, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                try:
                    name, born, code = (
                        record[0],
                        datetime.date.fromisoformat(record[1].strip()),
                        record[2],
                    )
                except (IndexError, ValueError):
                    raise CommandError(
                        f"Line {line}: expected name,YYYY-MM-DD,code[,district]."
                    ) from None
                district = record[3].strip() if len(record) > 3 else ""
                rows.append((name, born, code, district))
        jobs = [(name, born, code, salt, key) for name, born, code, _district in rows]
        if options["jobs"] > 1:
            with ProcessPoolExecutor(options["jobs"]) as pool:
                digests = list(pool.map(_hash_row, jobs, chunksize=64))
        else:
            digests = [_hash_row(job) for job in jobs]
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["identity_hash", "birth_date", "district"])
        for digest, (_name, born, _code, district) in zip(digests, rows, strict=True):
            writer.writerow([digest, born.isoformat(), district])
