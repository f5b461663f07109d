"""The canonical bytes of an event are exactly the documented JSON, whatever the strings hold."""

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from workflow.audit.stream import normalise_at
from workflow.audit.writer import canonical_json, event_bytes
from workflow.core.timeutil import isoformat_z

# Lone surrogates cannot be stored as UTF-8 by either database, so they never reach the hash.
texts = st.text(st.characters(codec="utf-8"), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
times = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
)


def documented(**fields: object) -> bytes:
    """The README's definition: sorted-key canonical JSON of the fields, `data` appended."""
    data = fields.pop("data")
    head = canonical_json(
        {
            "action": fields["action"],
            "actor": {
                "name": fields["actor_name"],
                "org": fields["actor_organisation_id"],
                "role": fields["actor_role"],
            },
            "at": isoformat_z(fields["at"]),  # type: ignore[arg-type]
            "chain": fields["chain"],
            "prev_hash": fields["prev_hash"],
            "seq": fields["seq"],
        }
    )
    return (head[:-1] + ',"data":' + str(data) + "}").encode()


@given(
    chain=texts,
    seq=st.integers(min_value=1, max_value=2**31),
    at=times,
    actor_name=texts,
    actor_role=texts,
    actor_organisation_id=st.none() | st.integers(min_value=1, max_value=2**31),
    action=texts,
    data=json_values,
    prev_hash=texts,
)
def test_event_bytes_are_the_documented_canonical_json(**fields: object) -> None:
    fields["data"] = canonical_json(fields["data"])
    encoded = event_bytes(**fields)  # type: ignore[arg-type]
    assert encoded == documented(**fields)
    parsed = json.loads(encoded)
    assert parsed["actor"]["name"] == fields["actor_name"]
    assert parsed["data"] == json.loads(str(fields["data"]))


@given(json_values)
def test_canonical_json_is_stable_under_a_round_trip(value: object) -> None:
    """Exports give `data` as JSON; encoding it canonically again gives the hashed text."""
    text = canonical_json(value)
    assert canonical_json(json.loads(text)) == text


@given(times)
def test_stored_times_are_normalised_to_the_hashed_text(at: datetime) -> None:
    canonical = isoformat_z(at)
    assert normalise_at(canonical) == canonical
    assert normalise_at(at.replace(tzinfo=None).isoformat(" ")) == canonical
    assert normalise_at(at.isoformat()) == canonical
