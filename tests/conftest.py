import os

import pytest

# Every process a test starts runs numpy's BLAS on one thread: the tool's matrices are small, and a thread
# per core costs each of the suite's hundreds of processes about 0.13 s of CPU at import (and waits on
# the other processes of a busy machine) for nothing.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite the expected files under cases/ from the current output (then read `git diff cases/`)",
    )


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture
def no_matplotlib(monkeypatch):
    """matplotlib as if the plot extra were not installed: importing it raises ImportError."""
    import builtins

    real_import = builtins.__import__

    def without(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without)


# One hypothesis profile for every test: no deadline (a loaded machine runs an
# example ten times slower, and that is not a failure), and no health check
# that fails a slow data generation.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("loaded", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loaded")
