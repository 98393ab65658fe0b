import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from stack import Stack  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    s = Stack().start()
    yield s
    s.stop()


@pytest.fixture
def http(stack):
    return stack.session()
