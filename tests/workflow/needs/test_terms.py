"""Danish stems computed in Python (`workflow.needs.terms`), as FastAPI's worker threads use
them: several requests stem at once."""

import sys
import threading
from collections.abc import Iterator

import pytest

from workflow.needs.terms import stems

TEXT = (
    "Demente borgere på plejecentre har urolige nætter; medarbejderne ønsker løsninger, "
    "der skaber ro, tryghed og bedre søvn uden flere nattevagter eller faldulykker"
)


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Make the interpreter switch threads every microsecond, so that two stemmings overlap
    within a word many times in a short test (the default is every 5 ms)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_threads_stemming_at_once_get_the_stems_of_one_thread() -> None:
    """Found by the `similar` benchmark (2026-12-03): one Snowball stemmer shared by the
    worker threads keeps the word being stemmed on itself, so two requests stemming at once
    stemmed each other's words. One of them died with `IndexError` (a 500), the other could
    store a wrong stem in a need's search terms."""
    expected = stems(TEXT)
    found: list[list[str]] = []
    failures: list[BaseException] = []

    def stem_many() -> None:
        try:
            found.extend(stems(TEXT) for _ in range(300))
        except Exception as error:  # every failure is reported below, not only the first
            failures.append(error)

    threads = [threading.Thread(target=stem_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(found) == 4 * 300
    assert all(result == expected for result in found)
