"""The one table of TikTok's webcast method names and what each becomes.

TikTok sends each event of a LIVE as a protobuf message named by its *method*
(``"WebcastGiftMessage"``). The recording clients name them their own way (tiktoklive's event
classes, tiktok-live-connector's event names), the protobuf reader (:mod:`toolkit.recordings.wire`)
has a schema per method, the counting rules (:mod:`toolkit.recordings.counting`) turn methods
into canonical kinds, and the writers of synthetic recordings
(:mod:`toolkit.recordings.writers`) go the other way. Every one of them reads its names here.
"""

from __future__ import annotations

__all__ = ["LIKE", "GIFT", "CHAT", "SOCIAL", "MEMBER", "ROOM_USER_SEQ", "CONTROL", "WITH_USER",
           "KNOWN_METHODS", "METHOD_OF_KIND", "CLASS_METHODS", "RECORDING_MARKERS",
           "CONNECTOR_METHODS", "MARKER_METHODS"]

#: The methods the canonical tables are made from.
LIKE, GIFT, CHAT = "WebcastLikeMessage", "WebcastGiftMessage", "WebcastChatMessage"
SOCIAL, MEMBER = "WebcastSocialMessage", "WebcastMemberMessage"
ROOM_USER_SEQ, CONTROL = "WebcastRoomUserSeqMessage", "WebcastControlMessage"
#: Methods whose message names a viewer (and is rejected without one).
WITH_USER: tuple[str, ...] = (LIKE, GIFT, CHAT, SOCIAL, MEMBER)

#: The 62 webcast methods ``tiktoklive`` 7.0.1 knows (``TikTokLive.events.EVENT_MAPPINGS``).
#: Those without a schema above are recognised but hold nothing the events table uses.
KNOWN_METHODS: frozenset[str] = frozenset("""
WebcastAccessControlMessage WebcastAccessRecallMessage WebcastBarrageMessage
WebcastBoostCardMessage WebcastBottomMessage WebcastCapsuleMessage WebcastCaptionMessage
WebcastChatMessage WebcastControlMessage WebcastEmoteChatMessage WebcastEnvelopeMessage
WebcastGameRankNotifyMessage WebcastGiftBroadcastMessage WebcastGiftDynamicRestrictionMessage
WebcastGiftMessage WebcastGiftPanelUpdateMessage WebcastGiftPromptMessage
WebcastGoalUpdateMessage WebcastGuideMessage WebcastHourlyRankRewardMessage
WebcastImDeleteMessage WebcastInRoomBannerMessage WebcastLikeMessage WebcastLinkLayerMessage
WebcastLinkMessage WebcastLinkMicArmies WebcastLinkMicBattle WebcastLinkMicBattleItemCard
WebcastLinkMicBattlePunishFinish WebcastLinkMicFanTicketMethod
WebcastLinkMicLayoutStateMessage WebcastLinkMicMethod WebcastLinkStateMessage
WebcastLinkmicBattleTaskMessage WebcastLiveGameIntroMessage WebcastLiveIntroMessage
WebcastMarqueeAnnouncementMessage WebcastMemberMessage WebcastMsgDetectMessage
WebcastNoticeMessage WebcastOecLiveShoppingMessage WebcastPartnershipDropsUpdateMessage
WebcastPartnershipGameOfflineMessage WebcastPartnershipPunishMessage
WebcastPerceptionMessage WebcastPollMessage WebcastQuestionNewMessage WebcastRankTextMessage
WebcastRankUpdateMessage WebcastRoomMessage WebcastRoomNotifyMessage WebcastRoomPinMessage
WebcastRoomUserSeqMessage WebcastRoomVerifyMessage WebcastSocialMessage WebcastSpeakerMessage
WebcastSubNotifyMessage WebcastSubPinEventMessage WebcastSystemMessage WebcastToastMessage
WebcastUnauthorizedMemberMessage WebcastViewerPicksUpdateMessage
""".split())

#: The webcast method of each canonical kind (what a synthetic recording writes).
METHOD_OF_KIND: dict[str, str] = {"join": MEMBER, "heart": LIKE, "comment": CHAT,
                                  "share": SOCIAL, "follow": SOCIAL, "gift": GIFT,
                                  "viewers": ROOM_USER_SEQ}

#: Event classes of tiktoklive 7.x whose method the class name tells (for lines without one).
CLASS_METHODS: dict[str, str] = {
    "LikeEvent": "WebcastLikeMessage", "GiftEvent": "WebcastGiftMessage",
    "CommentEvent": "WebcastChatMessage", "SocialEvent": "WebcastSocialMessage",
    "FollowEvent": "WebcastSocialMessage", "ShareEvent": "WebcastSocialMessage",
    "JoinEvent": "WebcastMemberMessage", "RoomUserSeqEvent": "WebcastRoomUserSeqMessage",
    "ControlEvent": "WebcastControlMessage", "LiveEndEvent": "WebcastControlMessage",
    "LivePauseEvent": "WebcastControlMessage", "LiveUnpauseEvent": "WebcastControlMessage",
}
#: Lines that mark the recording itself rather than a message of the room.
RECORDING_MARKERS: dict[str, str] = {"ConnectEvent": "connect", "DisconnectEvent": "disconnect",
            "WebsocketResponseEvent": "websocket"}

#: Connector event names -> webcast method (``None``: a marker of the connection itself).
CONNECTOR_METHODS: dict[str, str | None] = {
    "chat": "WebcastChatMessage", "like": "WebcastLikeMessage", "gift": "WebcastGiftMessage",
    "social": "WebcastSocialMessage", "follow": "WebcastSocialMessage",
    "share": "WebcastSocialMessage", "member": "WebcastMemberMessage",
    "roomUser": "WebcastRoomUserSeqMessage", "streamEnd": "WebcastControlMessage",
    "subscribe": "WebcastSubNotifyMessage", "emote": "WebcastEmoteChatMessage",
    "envelope": "WebcastEnvelopeMessage", "questionNew": "WebcastQuestionNewMessage",
    "linkMicBattle": "WebcastLinkMicBattle", "linkMicArmies": "WebcastLinkMicArmies",
    "liveIntro": "WebcastLiveIntroMessage", "goalUpdate": "WebcastGoalUpdateMessage",
    "roomMessage": "WebcastRoomMessage", "captionMessage": "WebcastCaptionMessage",
    "imDelete": "WebcastImDeleteMessage", "inRoomBanner": "WebcastInRoomBannerMessage",
    "rankUpdate": "WebcastRankUpdateMessage", "pollMessage": "WebcastPollMessage",
    "rankText": "WebcastRankTextMessage", "linkMicBattlePunishFinish":
    "WebcastLinkMicBattlePunishFinish", "unauthorizedMember": "WebcastUnauthorizedMemberMessage",
    "barrage": "WebcastBarrageMessage", "superFan": "WebcastBarrageMessage",
    "connected": None, "disconnected": None, "websocketConnected": None, "error": None,
    "rawData": None, "decodedData": None, "websocketData": None, "enterRoom": None,
}

#: Method values of records that mark the recording itself (connections), not the room.
MARKER_METHODS: tuple[str, ...] = tuple(dict.fromkeys(
    [*RECORDING_MARKERS.values(), *(name for name, method in CONNECTOR_METHODS.items()
                                    if method is None)]))
