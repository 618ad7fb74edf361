"""``kantor.core.ids``: many random UUIDs from one read of the random source."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from kantor.core.ids import uuid4s


@given(st.integers(min_value=0, max_value=64))
def test_uuid4s_are_version_4_rfc_4122_and_distinct(n):
    ids = uuid4s(n)
    assert len(ids) == n == len(set(ids))
    for value in ids:
        assert value.version == 4 and value.variant == uuid.RFC_4122
        assert uuid.UUID(str(value)) == value


def test_uuid4s_read_the_random_source_once(monkeypatch):
    import kantor.core.ids as ids

    reads = []
    real = ids.os.urandom
    monkeypatch.setattr(ids.os, "urandom", lambda n: reads.append(n) or real(n))
    assert len(uuid4s(16)) == 16
    assert reads == [256]
