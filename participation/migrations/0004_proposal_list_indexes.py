"""Indexes in the order of the proposal index's sorts (participation.views.SORT_ORDER).

Without them the first page of 20,000 proposals sorted them all (776 ms, bench/RESULTS.md).
"Newest" sorts `published_at DESC NULLS LAST`: PostgreSQL needs NULLS LAST in the index to
read it in that order, SQLite refuses the words but already puts NULLs last in a DESC index.
"""

from django.db import migrations, models

NEWEST = "proposal_newest"


def create_newest(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEWEST} ON participation_proposalpage "
        f"(published_at DESC{nulls}, page_ptr_id DESC)"
    )


def drop_newest(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEWEST}")


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_merge_0002_debates_and_comments_0002_put_to_vote"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposalpage",
            index=models.Index(
                models.OrderBy(models.F("support_count"), descending=True),
                models.OrderBy(models.F("page_ptr"), descending=True),
                name="proposal_supported",
            ),
        ),
        migrations.RunPython(create_newest, drop_newest),
    ]
