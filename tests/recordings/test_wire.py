"""Our protobuf reader against the real TikTokLiveProto classes tiktoklive 7.0.1 decodes with."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.recordings import methods, wire

TikTokLive = pytest.importorskip("TikTokLive")
from TikTokLive import proto  # noqa: E402
from TikTokLive.events import EVENT_MAPPINGS  # noqa: E402


def numbers(cls: type) -> dict[str, int]:
    return {f.name: f.metadata["betterproto"].number for f in dataclasses.fields(cls)
            if "betterproto" in f.metadata}


def test_known_methods_are_those_of_tiktoklive() -> None:
    assert methods.KNOWN_METHODS == frozenset(EVENT_MAPPINGS)


@pytest.mark.parametrize("method", sorted(wire.SCHEMAS))
def test_field_numbers_match_the_schema(method: str) -> None:
    theirs = numbers(getattr(proto, method))
    from TikTokLiveProto.v3.webcast.model.data import UserIdentity

    nested = {"common": proto.CommonMessageData, "user": proto.User, "gift": proto.Gift,
              "at_user": proto.User, "user_identity": UserIdentity}
    renamed = {"create_time_ms": "create_time", "display_text": "display_text"}
    for number, (name, kind) in wire.SCHEMAS[method].items():
        assert theirs[name] == number, (method, name)
        if isinstance(kind, dict):
            inner = numbers(nested[name])
            for inner_number, (inner_name, _) in kind.items():
                assert inner[renamed.get(inner_name, inner_name)] == inner_number


def _gift(**changes):  # built inside a function (see the reference's gotcha 1)
    from TikTokLiveProto.v3.webcast.model.message.common import Text

    fields = dict(gift_id=5655, repeat_count=3, repeat_end=1, group_id=1_718_000_000_123,
                  user=proto.ExtendedUser(id=6_913_894_233_900_516_358, nickname="⚔️ Eddie",
                                          display_id="m_a_r_e_d_o"),
                  gift=proto.ExtendedGift(id=5655, name="Rose", diamond_count=1, type=1))
    fields.update(changes)
    header = proto.CommonMessageData(method="WebcastGiftMessage", msg_id=7_309_139_779_504_769_825,
                                     room_id=7_309_128_470_994_258_694,
                                     create_time=1_701_791_794_472,
                                     display_text=Text(key="pm_x"))
    return proto.WebcastGiftMessage(common=header, **fields)


def test_decodes_what_the_real_classes_encode() -> None:
    got = wire.decode("WebcastGiftMessage", bytes(_gift()))
    assert got == {
        "method": "WebcastGiftMessage", "msg_id": 7_309_139_779_504_769_825,
        "room_id": 7_309_128_470_994_258_694, "create_time_ms": 1_701_791_794_472,
        "display_key": "pm_x", "user_id": 6_913_894_233_900_516_358,
        "unique_id": "m_a_r_e_d_o", "nickname": "⚔️ Eddie", "gift_name": "Rose",
        "diamond_count": 1, "gift_type": 1, "gift_id": 5655, "repeat_count": 3,
        "repeat_end": 1, "group_id": 1_718_000_000_123}


def test_a_hosts_reply_names_the_viewer_it_mentions() -> None:
    from TikTokLiveProto.v3.webcast.model.data import UserIdentity

    header = proto.CommonMessageData(method="WebcastChatMessage", msg_id=9, room_id=8,
                                     create_time=1_701_791_794_472)
    reply = proto.WebcastChatMessage(
        common=header, content="@m_a_r_e_d_o thank you!",
        user=proto.User(id=42, nickname="the host", display_id="creator_1"),
        at_user=proto.User(id=6_913_894_233_900_516_358, display_id="m_a_r_e_d_o"),
        user_identity=UserIdentity(is_anchor=True, is_follower_of_anchor=False))
    got = wire.decode("WebcastChatMessage", bytes(reply))
    assert got["user_id"] == 42 and got["is_host"] == 1
    assert got["at_user_id"] == 6_913_894_233_900_516_358
    assert got["at_unique_id"] == "m_a_r_e_d_o"
    viewer = wire.decode("WebcastChatMessage", bytes(proto.WebcastChatMessage(
        common=header, user=proto.User(id=7), content="hi",
        user_identity=UserIdentity(is_follower_of_anchor=True))))
    assert "is_host" not in viewer and "at_user_id" not in viewer


def test_zero_fields_are_absent_and_negative_numbers_keep_their_sign() -> None:
    got = wire.decode("WebcastGiftMessage", bytes(_gift(repeat_end=0, repeat_count=-2)))
    assert "repeat_end" not in got and got["repeat_count"] == -2


def test_a_known_method_without_a_schema_gives_the_common_fields() -> None:
    from TikTokLiveProto.v3.webcast.model.message import WebcastEmoteChatMessage

    message = WebcastEmoteChatMessage(common=proto.CommonMessageData(msg_id=5, room_id=6))
    assert wire.decode("WebcastEmoteChatMessage", bytes(message)) == {"msg_id": 5,
                                                                           "room_id": 6}


@pytest.mark.parametrize("payload", [b"\xff\xff\xff", b"\x0a\x05ab", b"\x08", b"\x00\x01",
                                     b"\x0b\x01", b"\x0a\x02\xff\xfe"])
def test_broken_payloads_raise_wire_error(payload: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.decode("WebcastChatMessage", payload)


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_raise_wire_error(payload: bytes) -> None:
    try:
        wire.decode("WebcastGiftMessage", payload)
    except wire.WireError:
        pass


@given(count=st.integers(0, 2**31 - 1), total=st.integers(0, 2**63 - 1),
       user=st.integers(1, 2**63 - 1), name=st.text(max_size=20))
def test_likes_round_trip(count: int, total: int, user: int, name: str) -> None:
    message = proto.WebcastLikeMessage(count=count, total=total,
                                       user=proto.User(id=user, nickname=name))
    got = wire.decode("WebcastLikeMessage", bytes(message))
    assert got.get("count", 0) == count and got.get("total", 0) == total
    assert got["user_id"] == user and got.get("nickname", "") == name
