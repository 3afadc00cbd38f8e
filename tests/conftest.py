import fcntl

import pytest
from wagtail.models import Page, Site

from tests.factories import UserFactory, make_municipality


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that touch no test database run first, then pytest-django's order (database
    tests, then transactional ones, whose flush removes what the migrations made).

    The database-free group holds the longest single test (the README's demo, started with
    `make demo`); in parallel runs (pytest-xdist, --dist load hands each process the tests
    in this order) it then starts at once instead of being the last one everybody waits for.
    """

    def touches_database(item):
        fixtures = set(getattr(item, "fixturenames", []))
        return item.get_closest_marker("django_db") is not None or bool(
            {"db", "transactional_db", "live_server"} & fixtures
        )

    items.sort(key=touches_database)  # stable: pytest-django's order stays within each group


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    tmp_path_factory,
):
    """pytest-django's test database setup, except in parallel runs on PostgreSQL: there
    the first process migrates one database and every process takes a copy of it
    (CREATE DATABASE ... TEMPLATE, what Django's own parallel runner does), instead of
    each running all the migrations, data migrations included, by itself.
    """
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    verbosity = request.config.option.verbose
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker is None or connection.vendor != "postgresql" or django_db_keepdb:
        # pytest-django's own setup, as its django_db_setup fixture does it.
        if not django_db_use_migrations:
            _disable_migrations()
        aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=django_db_keepdb and not django_db_createdb,
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=verbosity)
        return

    from django.conf import settings

    if not django_db_use_migrations:
        _disable_migrations()
    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    template = test_settings["NAME"].removesuffix(f"_{worker}")  # pytest-django's _gwN
    shared = tmp_path_factory.getbasetemp().parent  # one folder for all of this run's workers
    with django_db_blocker.unblock(), open(shared / "test-database.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / "test-database.made"
        if not made.exists():
            test_settings["NAME"] = template
            setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
            connections.close_all()
            made.write_text(template)
        connection.settings_dict["NAME"] = template
        # Under the lock: PostgreSQL copies a template only while nobody else uses it.
        connection.creation.clone_test_db(suffix=worker, verbosity=verbosity)
        clone = connection.creation.get_test_db_clone_settings(worker)["NAME"]
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = clone
        connection.close()
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        connection.creation._destroy_test_db(clone, verbosity)


def pytest_sessionfinish(session):
    """After a parallel run, the controlling process drops the template the copies came from."""
    if hasattr(session.config, "workerinput") or not getattr(
        session.config.option, "numprocesses", None
    ):
        return
    made = session.config._tmp_path_factory.getbasetemp() / "test-database.made"
    if not made.exists():
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with session.config.stash[blocking_manager_key].unblock():
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{made.read_text()}"')


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
