"""The meetings app takes over its models from ``cases``: the tables keep their
names and rows (state only), and the content types move with a data step."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

APP = "meetings"
MODELS = ['meeting', 'meetingcase', 'meetinginvitation', 'agencyreport', 'agendaitem', 'meetingdissent', 'meetingaddendum', 'meetinguserobjectpermission', 'meetinggroupobjectpermission']


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
        ('agencies', '0003_team'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('cases', '0014_case_record'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('reference', models.CharField(max_length=20, unique=True)),
                ('kind', models.CharField(choices=[('strategy', 'Strategy discussion'), ('icpc', 'Initial child protection conference'), ('rcpc', 'Review child protection conference'), ('core_group', 'Core group meeting'), ('mdt', 'MDT / complex case meeting')], max_length=12)),
                ('scheduled_at', models.DateTimeField(db_index=True)),
                ('location', models.CharField(blank=True, max_length=200)),
                ('video_link', models.URLField(blank=True, max_length=300)),
                ('due_on', models.DateField(blank=True, null=True)),
                ('late_reason', models.TextField(blank=True)),
                ('report_due_on', models.DateField(blank=True, null=True)),
                ('purpose', models.TextField(blank=True)),
                ('finalised_at', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('chair', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chaired_meetings', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('finalised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('follows', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='followed_by', to='meetings.meeting')),
                ('lead_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
            ],
            options={
                'db_table': 'cases_meeting',
                'ordering': ['-scheduled_at'],
                'permissions': [('view_meeting_lead', "See a meeting's closed items and every agency's report"), ('chair_meeting', 'Run a meeting and finalise its record')],
            },
        ),
        migrations.CreateModel(
            name='AgendaItem',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('position', models.PositiveSmallIntegerField()),
                ('title', models.CharField(max_length=200)),
                ('minutes', models.TextField(blank=True)),
                ('lead_only', models.BooleanField(default=False)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agenda_items', to='meetings.meeting')),
            ],
            options={
                'db_table': 'cases_agendaitem',
                'ordering': ['position'],
            },
        ),
        migrations.CreateModel(
            name='MeetingAddendum',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='addenda', to='meetings.meeting')),
            ],
            options={
                'verbose_name_plural': 'meeting addenda',
                'db_table': 'cases_meetingaddendum',
                'ordering': ['created_at'],
            },
        ),
        migrations.CreateModel(
            name='MeetingDissent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('person_name', models.CharField(max_length=200)),
                ('reason', models.TextField()),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dissents', to='meetings.meeting')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'cases_meetingdissent',
                'ordering': ['recorded_at'],
            },
        ),
        migrations.CreateModel(
            name='AgencyReport',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('text', models.TextField()),
                ('shared_with_invitees', models.BooleanField(default=True)),
                ('submitted_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='meetings.meeting')),
            ],
            options={
                'db_table': 'cases_agencyreport',
                'ordering': ['submitted_at'],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'agency'), name='one_report_per_agency')],
            },
        ),
        migrations.CreateModel(
            name='MeetingCase',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('decision', models.CharField(blank=True, choices=[('section_47', 'Proceed to a section 47 enquiry'), ('no_section_47', 'No section 47 enquiry'), ('plan', 'A child protection plan is needed'), ('no_plan', 'No child protection plan'), ('continue_plan', 'Continue the child protection plan'), ('end_plan', 'End the child protection plan')], max_length=16)),
                ('category', models.CharField(blank=True, max_length=3)),
                ('decision_notes', models.TextField(blank=True)),
                ('first_core_group_on', models.DateField(blank=True, null=True)),
                ('next_review_on', models.DateField(blank=True, null=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_links', to='cases.case')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subjects', to='meetings.meeting')),
            ],
            options={
                'db_table': 'cases_meetingcase',
                'constraints': [models.UniqueConstraint(fields=('meeting', 'case'), name='one_place_per_case')],
            },
        ),
        migrations.CreateModel(
            name='MeetingGroupObjectPermission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='meetings.meeting')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group')),
                ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
            ],
            options={
                'db_table': 'cases_meetinggroupobjectpermission',
                'abstract': False,
                'unique_together': {('group', 'permission', 'content_object')},
            },
        ),
        migrations.CreateModel(
            name='MeetingInvitation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('report_requested', models.BooleanField(default=True)),
                ('response', models.CharField(choices=[('awaiting', 'Not yet replied'), ('attending', 'Attending'), ('apologies', 'Sent apologies')], default='awaiting', max_length=10)),
                ('responded_at', models.DateTimeField(blank=True, null=True)),
                ('attendance', models.CharField(blank=True, choices=[('', 'Not recorded'), ('present', 'Present'), ('apologies', 'Apologies'), ('did_not_attend', 'Did not attend')], max_length=16)),
                ('invited_at', models.DateTimeField(auto_now_add=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='meetings.meeting')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'cases_meetinginvitation',
                'ordering': ['invited_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('person__isnull', True)), fields=('meeting', 'agency'), name='one_agency_invitation'), models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('meeting', 'person'), name='one_person_invitation')],
            },
        ),
        migrations.CreateModel(
            name='MeetingUserObjectPermission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='meetings.meeting')),
                ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'cases_meetinguserobjectpermission',
                'abstract': False,
                'unique_together': {('user', 'permission', 'content_object')},
            },
        ),
                ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
