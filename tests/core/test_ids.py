"""``Ids``: a list page's few ids, bound to several statements, turned into
an array's text once; and never changed after (the text made first is
bound to every statement after it)."""

import uuid

import pytest

from safeguard.core.lookups import Ids, array_text


def test_the_text_is_made_once_and_is_the_arrays():
    ids = Ids([uuid.UUID(int=1), uuid.UUID(int=2)])
    text = array_text(ids)
    assert text == "{00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002}"
    assert array_text(ids) is text
    assert array_text(Ids()) == "{}"
    assert array_text([3, 4]) == "{3,4}"


@pytest.mark.parametrize(
    "change",
    [
        lambda ids: ids.append(uuid.UUID(int=3)),
        lambda ids: ids.extend([uuid.UUID(int=3)]),
        lambda ids: ids.pop(),
        lambda ids: ids.clear(),
        lambda ids: ids.__setitem__(0, uuid.UUID(int=3)),
        lambda ids: ids.__delitem__(0),
        lambda ids: ids.__iadd__([uuid.UUID(int=3)]),
        lambda ids: ids.sort(),
    ],
)
def test_ids_refuse_to_change(change):
    ids = Ids([uuid.UUID(int=1), uuid.UUID(int=2)])
    text = array_text(ids)
    with pytest.raises(TypeError):
        change(ids)
    assert list(ids) == [uuid.UUID(int=1), uuid.UUID(int=2)]
    assert array_text(ids) == text


def test_a_row_granted_twice_is_one_id_in_the_order_first_granted():
    from cases.selectors.cases import ids_if_few

    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    found = ids_if_few([(a,), (b,), (a,), (b,)])
    assert found == [a, b]
    assert isinstance(found, Ids)
    # SQLite (the demo) hands back 32 hex digits.
    assert ids_if_few([(a.hex,), (a,)]) == [a]
    assert ids_if_few([(None,)]) is None
