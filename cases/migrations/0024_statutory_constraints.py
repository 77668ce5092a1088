# The census rules the services enforce, backed by the database (issue 12).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0023_statutory_states'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.UniqueConstraint(condition=models.Q(('end_date__isnull', True)), fields=('case', 'kind'), name='one_current_plan_per_kind'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'cp'), _negated=True), models.Q(('end_date', models.F('start_date')), _negated=True), _connector='OR'), name='protection_plan_not_same_day'),
        ),
        migrations.AddConstraint(
            model_name='section47enquiry',
            constraint=models.UniqueConstraint(condition=models.Q(('completed_on__isnull', True)), fields=('case',), name='one_open_section47_per_case'),
        ),
    ]
