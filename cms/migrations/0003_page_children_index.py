"""An index for "the children of this page", which Wagtail's own tables lack.

`page.get_children()` asks for `depth = d AND path BETWEEN p AND p || 'ZZZZ'`. Wagtail
indexes `path` alone, so the site menu (the home page's children) walks every page of the
municipality: 20,000 index entries for 4 rows once a city has 20,000 proposals. Leading
with `depth` makes it read the children only (Wagtail's routing asks the same question for
every request: a child by slug). The same SQL serves PostgreSQL and SQLite.
"""

from django.db import migrations

INDEX = "cms_page_depth_path"


SQL = f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (depth, path)"
class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_municipalitysettings"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunSQL(SQL, f"DROP INDEX IF EXISTS {INDEX}")]
