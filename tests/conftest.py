import pytest
from wagtail.models import Page, Site

from tests.factories import UserFactory, make_municipality


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Uploads go to a fresh folder; the cache (Wagtail keeps site root paths there) starts empty."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def province(db):
    from tests.participation.factories import ensure_page_tree

    ensure_page_tree()  # a transactional test before this one flushed the migrations' root
    Site.objects.filter(hostname="localhost").delete()
    Page.objects.filter(depth=2, slug="home").delete()
    return make_municipality(
        "gyeongnam.test", "경상남도", kind="province", default=True, name_en="Gyeongsangnam-do"
    )


@pytest.fixture
def city(province):
    return make_municipality(
        "changwon.test", "창원특례시", province=province, colour="#00695c", name_en="Changwon"
    )


@pytest.fixture
def citizen(db):
    return UserFactory(display_name="김민지")


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the background jobs a block of code queues, as the deployment would.

    Without REDIS_URL the jobs already run in-process as they are queued. With it (CI),
    they go to Redis and a real rq worker runs them here, in burst mode.
    """
    from contextlib import contextmanager

    from django.conf import settings

    from cms.jobs import get_queue

    queue_names = list(settings.RQ_QUEUES)

    @contextmanager
    def runner():
        if settings.REDIS_URL:
            for name in queue_names:
                get_queue(name).empty()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        if settings.REDIS_URL:
            from rq import SimpleWorker

            queues = [get_queue(name) for name in queue_names]
            # Jobs queue more work after their own commits (a threshold check's mails). The
            # test's transaction never commits, so run those callbacks here, and the jobs
            # they queue, until nothing more comes.
            for _round in range(10):
                with django_capture_on_commit_callbacks(execute=True) as queued_more:
                    SimpleWorker(queues, connection=queues[0].connection).work(burst=True)
                if not queued_more:
                    break
            failed = sum(queue.failed_job_registry.count for queue in queues)
            assert failed == 0, "a background job failed"

    return runner
