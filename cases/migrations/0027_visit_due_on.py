from django.db import migrations, models


def fill_due_dates(apps, schema_editor):
    """Each visit already recorded gets the due date its clock gave on the day of
    the visit, by the same rule the service now stores (cases.models.visits)."""
    from cases.models.visits import visit_due_on

    Plan = apps.get_model("cases", "Plan")
    Visit = apps.get_model("cases", "StatutoryVisit")
    plans: dict = {}
    for plan in Plan.objects.filter(kind="cp").order_by("start_date"):
        plans.setdefault(plan.case_id, []).append(plan)
    seen: dict = {}
    for visit in Visit.objects.filter(case_id__in=list(plans)).order_by("case_id", "visited_on"):
        current = [
            p
            for p in plans[visit.case_id]
            if p.start_date <= visit.visited_on
            and (p.end_date is None or p.end_date >= visit.visited_on)
        ]
        if not current:
            continue
        plan = current[-1]
        earlier = [
            on
            for on in seen.get(visit.case_id, [])
            if plan.start_date <= on < visit.visited_on
        ]
        visit.due_on = visit_due_on(plan, max(earlier) if earlier else None)
        visit.save(update_fields=["due_on"])
        if visit.seen != "not_seen":
            seen.setdefault(visit.case_id, []).append(visit.visited_on)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0026_work_with_the_child"),
    ]

    operations = [
        migrations.AddField(
            model_name="statutoryvisit",
            name="due_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_due_dates, migrations.RunPython.noop),
    ]
