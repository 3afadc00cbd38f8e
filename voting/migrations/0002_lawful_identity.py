"""Lawful identity (issues 13 and 14): the census key leaves the database.

The old census hashed resident registration numbers with a key stored beside them, so
any dump could be brute-forced. This migration deletes that census (municipalities
re-import a census of name, date of birth and address, hashed with CENSUS_KEY from the
environment), forgets the identifier hashes of existing verifications and requests,
drops the key column, and gives each verification the municipality's retention period.
"""

import datetime

import django.core.validators
from django.db import migrations, models
from django.db.models import Q

import voting.models


def forget_old_hashes(apps, schema_editor):
    apps.get_model("voting", "CensusEntry").objects.all().delete()
    VoterVerification = apps.get_model("voting", "VoterVerification")
    VoterVerification.objects.exclude(identifier_hash="").update(identifier_hash="")


def set_expiry(apps, schema_editor):
    VoterVerification = apps.get_model("voting", "VoterVerification")
    VotingSettings = apps.get_model("voting", "VotingSettings")
    days = {row.site_id: row.verification_valid_days for row in VotingSettings.objects.all()}
    for row in VoterVerification.objects.filter(expires_at__isnull=True):
        row.expires_at = row.verified_at + datetime.timedelta(days=days.get(row.site_id, 730))
        row.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_old_hashes, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="censusentry", name="voting_census_unique_identifier"
        ),
        migrations.RenameField(
            model_name="censusentry", old_name="identifier_hash", new_name="identity_hash"
        ),
        migrations.AlterField(
            model_name="censusentry",
            name="identity_hash",
            field=models.CharField(max_length=64, verbose_name="identity hash"),
        ),
        migrations.AddConstraint(
            model_name="censusentry",
            constraint=models.UniqueConstraint(
                fields=("site", "identity_hash"), name="voting_census_unique_identity"
            ),
        ),
        migrations.RemoveConstraint(model_name="voterverification", name="voting_identity_once"),
        migrations.RenameField(
            model_name="voterverification", old_name="identifier_hash", new_name="identity_hash"
        ),
        migrations.AddConstraint(
            model_name="voterverification",
            constraint=models.UniqueConstraint(
                condition=~Q(identity_hash=""),
                fields=("site", "identity_hash"),
                name="voting_identity_once",
            ),
        ),
        migrations.AddField(
            model_name="voterverification",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="kept until"),
        ),
        migrations.AlterField(
            model_name="voterverification",
            name="method",
            field=models.CharField(
                choices=[
                    ("census", "Census"),
                    ("manual", "Document reviewed by staff"),
                    ("provider", "Identity provider and declaration"),
                ],
                max_length=10,
                verbose_name="method",
            ),
        ),
        migrations.RemoveField(model_name="verificationrequest", name="identifier_hash"),
        migrations.AddField(
            model_name="verificationrequest",
            name="document",
            field=models.FileField(
                blank=True,
                max_length=200,
                storage=voting.models.private_storage,
                upload_to=voting.models.document_path,
                verbose_name="document",
            ),
        ),
        migrations.RemoveField(model_name="votingsettings", name="census_key"),
        migrations.AddField(
            model_name="votingsettings",
            name="census_salt",
            field=models.CharField(
                default=voting.models.new_census_salt,
                help_text="Not a secret: whoever hashes the census file needs it together with the installation's CENSUS_KEY. Changing it invalidates the census already imported.",
                max_length=32,
                verbose_name="census salt",
            ),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="census_code_kind",
            field=models.CharField(
                choices=[
                    ("address", "Road name and building number (e.g. 중앙대로 151)"),
                    ("household", "Household code sent by the municipality"),
                ],
                default="address",
                max_length=10,
                verbose_name="third census field",
            ),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="use_census",
            field=models.BooleanField(default=True, verbose_name="check against the census"),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="use_documents",
            field=models.BooleanField(default=True, verbose_name="staff review of a document"),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="use_identity_provider",
            field=models.BooleanField(
                default=False, verbose_name="certified identity provider (본인인증)"
            ),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="identity_provider",
            field=models.CharField(
                blank=True, default="demo", max_length=30, verbose_name="identity provider"
            ),
        ),
        migrations.AddField(
            model_name="votingsettings",
            name="verification_valid_days",
            field=models.PositiveSmallIntegerField(
                default=730, verbose_name="days a verification is kept"
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="identity_provider",
            field=models.CharField(
                blank=True,
                default="demo",
                help_text="Configured by the installation (settings.IDENTITY_PROVIDERS).",
                max_length=30,
                verbose_name="identity provider",
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="require_residency",
            field=models.BooleanField(
                default=True,
                help_text="For a province, residents of its cities and counties count as residents.",
                verbose_name="voters must be verified residents",
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="use_census",
            field=models.BooleanField(
                default=True,
                help_text="Citizens type their name, date of birth and address (or household code); a match with the hashed census verifies them at once.",
                verbose_name="check against the census",
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="use_documents",
            field=models.BooleanField(
                default=True,
                help_text="Citizens upload a proof of address; staff approve or reject it, and the file is deleted as soon as they decide.",
                verbose_name="staff review of a document",
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="use_identity_provider",
            field=models.BooleanField(
                default=False,
                help_text="The provider confirms who the person is and their age; the person declares that they live here.",
                verbose_name="certified identity provider (본인인증)",
            ),
        ),
        migrations.AlterField(
            model_name="votingsettings",
            name="verification_valid_days",
            field=models.PositiveSmallIntegerField(
                default=730,
                help_text="After this the verification is deleted and the person verifies again.",
                validators=[
                    django.core.validators.MinValueValidator(30),
                    django.core.validators.MaxValueValidator(1830),
                ],
                verbose_name="days a verification is kept",
            ),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
    ]
