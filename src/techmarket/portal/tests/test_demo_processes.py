"""``techmarket demo`` runs the background worker beside the web server and stops both together."""

import io
import sys
import time

import pytest
from django.core.management import call_command

from techmarket.portal import processes
from techmarket.portal.processes import Child


def test_the_demo_runs_the_web_server_and_the_worker():
    web, worker = processes.demo_children(port=8021)
    assert web.argv[-3:] == ("serve", "--bind", "127.0.0.1:8021")
    assert worker.argv[-1] == "worker"
    assert web.argv[:3] == worker.argv[:3] == (sys.executable, "-m", "techmarket")
    assert [child.name for child in processes.demo_children(port=8021, worker=False)] == ["web"]


def test_when_one_process_ends_the_other_is_stopped():
    started = time.monotonic()
    status = processes.run_together(
        [
            Child("sleeper", (sys.executable, "-c", "import time; time.sleep(60)")),
            Child("quitter", (sys.executable, "-c", "import sys; sys.exit(3)")),
        ],
        grace=5,
    )
    assert status == 3
    assert time.monotonic() - started < 20  # the sleeper was terminated, not waited for


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("immediate", "arguments", "expected"),
    [
        (False, [], ["web", "worker"]),
        (False, ["--no-worker"], ["web"]),
        (True, [], ["web"]),  # tasks already run inline: no queue to consume
    ],
)
def test_the_demo_command_starts_the_worker_with_a_queue(
    settings, tmp_path, monkeypatch, immediate, arguments, expected
):
    from techmarket.accounts.models import User

    User.objects.create_user(username="demo-admin")  # the demo exists: only the serving is run
    settings.VAR_DIR = tmp_path
    settings.HUEY = {**settings.HUEY, "immediate": immediate}
    ran: list[list[str]] = []
    monkeypatch.setattr(
        processes, "run_together", lambda children: ran.append([c.name for c in children]) or 0
    )
    call_command("demo", "--port", "8021", *arguments, stdout=io.StringIO())
    assert ran == [expected]
