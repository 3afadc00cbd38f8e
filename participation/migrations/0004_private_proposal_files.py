import os
import uuid

from django.db import migrations, models

import participation.models.proposals


def move_to_private_storage(apps, schema_editor):
    """Files uploaded before were public under MEDIA_ROOT at guessable names: move them."""
    from django.core.files.storage import default_storage, storages

    private = storages["private"]
    ProposalFile = apps.get_model("participation", "ProposalFile")
    for row in ProposalFile.objects.exclude(file=""):
        old = row.file.name
        if not default_storage.exists(old):
            continue
        extension = os.path.splitext(old)[1].lower()[:10]
        with default_storage.open(old, "rb") as handle:
            row.file.name = private.save(f"proposals/{uuid.uuid4().hex}{extension}", handle)
        row.save(update_fields=["file"])
        default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_merge_0002_debates_and_comments_0002_put_to_vote"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposalfile",
            name="file",
            field=models.FileField(
                storage=participation.models.proposals.private_storage,
                upload_to=participation.models.proposals.proposal_file_path,
            ),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop),
    ]
