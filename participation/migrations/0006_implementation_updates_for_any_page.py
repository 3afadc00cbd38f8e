"""Implementation updates belong to any page (adopted proposals, funded budget projects).

The proposal column becomes a page column: a proposal's id is its page's id, so every
existing update keeps pointing at the same proposal.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0005_merge_20261122_2316"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RenameField(
            model_name="implementationupdate", old_name="proposal", new_name="page"
        ),
        migrations.AlterField(
            model_name="implementationupdate",
            name="page",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="implementation_updates",
                to="wagtailcore.page",
                verbose_name="proposal or project",
            ),
        ),
    ]
