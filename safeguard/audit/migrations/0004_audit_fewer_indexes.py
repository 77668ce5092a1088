"""Three fewer indexes on the audit log, which every page read writes a row to
and the sealer then updates (a non-HOT update: every index takes a new entry).

- ``object_id`` lost its own index and its ``varchar_pattern_ops`` copy: every
  lookup names ``object_type`` too, which the (object_type, object_id) index
  serves (the subject access trail asks by type since this change).
- ``row_hash`` stays unique, by a constraint: ``unique=True`` on a CharField
  also builds a LIKE index on PostgreSQL, and nothing searches hashes by prefix.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_sealed_keyed_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="object_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("row_hash",), name="audit_row_hash_unique"),
        ),
    ]
