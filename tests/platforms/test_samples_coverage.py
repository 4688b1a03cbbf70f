"""Every recorded sample (tests/platforms/samples, copied from shared/samples) is mapped by at least one test."""

from pathlib import Path

from .conftest import SAMPLES


def test_every_sample_is_used_by_a_mapping_test():
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    samples = sorted(path.name for path in SAMPLES.glob("*.json"))
    assert samples, f"no samples in {SAMPLES}"
    unused = [name for name in samples if name.removesuffix(".json") not in tests]
    assert unused == []
