import os

import pytest

from okno.testing import Org, build_org

# Servers a test starts inherit this and use the test settings (fast hasher, static
# files from the apps).
os.environ["OKNO_TESTING"] = "1"


@pytest.fixture
def org(db) -> Org:
    return build_org()
