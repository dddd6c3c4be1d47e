"""The Celery app prepares the folders its processes need before they start."""

from celery import Celery

from kawo.celery import _ensure_broker_folders


def test_beat_gets_its_schedule_folder_with_a_redis_broker(tmp_path):
    # given: a broker that needs no folders (Redis) and a fresh var/ folder
    app = Celery("kawo-test", set_as_current=False)  # else later tests read this app's routes
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.conf.beat_schedule_filename = str(tmp_path / "var" / "celery" / "beat-schedule")
    # when
    _ensure_broker_folders(app)
    # then
    assert (tmp_path / "var" / "celery").is_dir()


def test_the_filesystem_broker_gets_its_folders(tmp_path):
    # given
    app = Celery("kawo-test", set_as_current=False)  # else later tests read this app's routes
    folders = {key: str(tmp_path / key) for key in ("data_folder_in", "processed_folder", "control_folder")}
    app.conf.broker_transport_options = folders
    app.conf.beat_schedule_filename = "beat-schedule"  # a bare name: the working folder, nothing to make
    # when
    _ensure_broker_folders(app)
    # then
    assert all((tmp_path / key).is_dir() for key in folders)
