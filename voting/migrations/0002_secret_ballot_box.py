"""The double-envelope secret ballot (voting/secrecy.py).

Participation becomes generic (a contest page and a scope) and keeps only the day.
Ballots lose their receipt hash and date: from now on they are written only when a
poll's ballot box is opened. Receipts of ballots cast before this change no longer
verify (their ballots stay counted).
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def copy_day(apps, schema_editor):
    Participation = apps.get_model("voting", "Participation")
    for row in Participation.objects.all().only("pk", "created_at"):
        Participation.objects.filter(pk=row.pk).update(voted_on=row.created_at.date())


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="participation", name="voting_one_participation"),
        migrations.RenameField(model_name="participation", old_name="poll", new_name="contest"),
        migrations.AlterField(
            model_name="participation",
            name="contest",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participations",
                to="wagtailcore.page",
            ),
        ),
        migrations.AddField(
            model_name="participation",
            name="scope",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="participation",
            name="voted_on",
            field=models.DateField(default=django.utils.timezone.localdate),
        ),
        migrations.RunPython(copy_day, migrations.RunPython.noop),
        migrations.RemoveField(model_name="participation", name="created_at"),
        migrations.AlterField(
            model_name="participation",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participations",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                fields=("contest", "scope", "user"), name="voting_one_participation"
            ),
        ),
        migrations.RemoveField(model_name="ballot", name="receipt_hash"),
        migrations.RemoveField(model_name="ballot", name="cast_on"),
        migrations.CreateModel(
            name="BallotBox",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_key", models.BinaryField()),
                ("wrapped_private_key", models.BinaryField()),
                ("opened_on", models.DateField(blank=True, null=True)),
                ("opened_envelopes", models.PositiveIntegerField(default=0)),
                ("results", models.JSONField(blank=True, null=True)),
                (
                    "contest",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ballot_box",
                        to="wagtailcore.page",
                    ),
                ),
            ],
            options={"verbose_name": "ballot box"},
        ),
        migrations.CreateModel(
            name="SealedEnvelope",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("scope", models.CharField(blank=True, default="", max_length=64)),
                ("channel", models.CharField(default="online", max_length=10)),
                ("sealed", models.BinaryField()),
                ("review", models.BinaryField()),
                ("receipt_hash", models.CharField(max_length=64, unique=True)),
                ("mixed", models.BooleanField(default=False)),
                (
                    "box",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="envelopes",
                        to="voting.ballotbox",
                    ),
                ),
            ],
            options={"verbose_name": "sealed envelope"},
        ),
        migrations.CreateModel(
            name="CountedReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(blank=True, default="", max_length=64)),
                ("receipt_hash", models.CharField(max_length=64)),
                (
                    "box",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="counted_receipts",
                        to="voting.ballotbox",
                    ),
                ),
            ],
            options={
                "verbose_name": "counted receipt",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("box", "receipt_hash"), name="voting_receipt_once"
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="pollpage",
            name="results_visibility",
            field=models.CharField(
                choices=[
                    ("after_close", "After the poll closes"),
                    ("live", "Live, while the poll is open"),
                ],
                default="after_close",
                help_text="Live results are counted from the sealed ballots in memory and change with each vote, so anyone watching them between two votes can guess how someone voted. Choose live results only for large, low-stakes polls.",
                max_length=12,
                verbose_name="show results",
            ),
        ),
    ]
