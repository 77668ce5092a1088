"""The beat schedule is what the apps register, and every entry names a task
a worker can run."""

from safeguard.celery import app


def test_every_app_registers_its_periodic_work():
    schedule = app.conf.beat_schedule
    assert {
        "notifications-redispatch-stuck",
        "reminders-sweep",
        "reminders-daily-digest",
        "heartbeat",
        "summaries-redispatch-stuck",
        "summaries-delete-expired",
    } <= set(schedule)


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    unknown = {
        name: entry["task"]
        for name, entry in app.conf.beat_schedule.items()
        if entry["task"] not in app.tasks
    }
    assert unknown == {}
    for entry in app.conf.beat_schedule.values():
        # A message beat sent while no worker ran expires rather than piling up.
        assert entry["options"]["expires"] == entry["schedule"]
