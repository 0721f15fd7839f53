# Input for the JUnit tests: pytest 7.2.1 with pytest-rerunfailures 10.2 reports 2 passed
# (one after a rerun, which its XML does not show), 1 failed, 1 error, 1 skipped.
import pytest

_attempts = {"count": 0}


def test_adds():
    assert 1 + 1 == 2


def test_fails():
    assert 1 + 1 == 3


@pytest.mark.flaky(reruns=2)
def test_passes_on_rerun():
    _attempts["count"] += 1
    assert _attempts["count"] > 1


@pytest.mark.skip(reason="not here")
def test_skipped():
    pass


def test_errors_in_setup(missing_fixture):
    pass
