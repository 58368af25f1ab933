from django.conf import settings

from eisen.checks import visibility_timeout_above_export_limit


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False


def test_tasks_run_in_process_exactly_when_no_broker_is_configured():
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.CELERY_BROKER_URL)
    assert settings.CELERY_TASK_EAGER_PROPAGATES is True


def test_a_visibility_timeout_shorter_than_an_export_is_warned_about(settings):
    assert visibility_timeout_above_export_limit(None) == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": settings.EXPORT_TIME_LIMIT}
    (warning,) = visibility_timeout_above_export_limit(None)
    assert warning.id == "eisen.W001"
    assert f"({settings.EXPORT_TIME_LIMIT} s)" in warning.msg
