import pytest

from okno.testing import Org, build_org


@pytest.fixture
def org(db) -> Org:
    return build_org()
