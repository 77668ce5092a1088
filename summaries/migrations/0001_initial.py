"""The summaries app takes over its models from ``cases``: the tables keep their
names and rows (state only), and the content types move with a data step."""

import django.db.models.deletion
import summaries.models
import uuid
from django.conf import settings
from django.db import migrations, models

APP = "summaries"
MODELS = ['casesummary']


def _move_content_types(apps, schema_editor, *, source, target, models_):
    """Point the content types (and with them every permission and guardian
    grant that names them) at the app that now owns the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in models_:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue  # a new database: post_migrate creates them under the new app
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            raise RuntimeError(
                f"Both {source}.{model} and {target}.{model} content types exist; "
                "merge them by hand before migrating (their permissions would split)."
            )
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="cases", target=APP, models_=MODELS)


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source=APP, target="cases", models_=MODELS)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0014_case_record'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='CaseSummary',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('purpose', models.CharField(choices=[('case', 'Case summary'), ('meeting_pack', 'Meeting pack')], default='case', max_length=20)),
                ('meeting_id', models.UUIDField(blank=True, null=True)),
                ('date_from', models.DateField(blank=True, null=True)),
                ('date_to', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('rendering', 'Being produced'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('failure_reason', models.CharField(blank=True, max_length=300)),
                ('audit_reference', models.CharField(blank=True, max_length=40)),
                ('file', models.FileField(blank=True, max_length=200, upload_to=summaries.models.summary_upload_to)),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('page_count', models.PositiveIntegerField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('redispatched_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ready_at', models.DateTimeField(blank=True, null=True)),
                ('expires_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='summaries', to='cases.case')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'case summaries',
                'db_table': 'cases_casesummary',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['status', 'created_at'], name='cases_cases_status_4f5f59_idx'), models.Index(fields=['case', 'requested_by', 'created_at'], name='cases_cases_case_id_6481f0_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('date_to__isnull', True), ('date_from__isnull', True), ('date_to__gte', models.F('date_from')), _connector='OR'), name='summary_range_ends_after_it_starts')],
            },
        ),
                ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
