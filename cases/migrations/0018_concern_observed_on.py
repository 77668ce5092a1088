"""The day a concern happened, kept apart from its time, so an unknown time can
stay unknown (SPEC 3.3).

Existing rows keep their meaning: ``observed_on`` is filled from the local day
of ``observed_at`` and ``observed_at`` is left as it is. Rows at exactly 12:00
were probably filled in by the old form, but a submitted concern's draft data
is cleared and the audit log does not keep the typed time, so which ones were
invented cannot be told; they are left alone rather than guessed at.
"""

from django.db import migrations, models
from django.utils import timezone


def fill_observed_on(apps, schema_editor):
    Concern = apps.get_model("cases", "Concern")
    rows = Concern.objects.filter(observed_at__isnull=False, observed_on__isnull=True)
    for concern in rows.only("pk", "observed_at").iterator():
        Concern.objects.filter(pk=concern.pk).update(
            observed_on=timezone.localdate(concern.observed_at)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_dfe_code_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="observed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_observed_on, migrations.RunPython.noop),
    ]
