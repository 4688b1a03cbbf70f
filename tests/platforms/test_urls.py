"""platforms.urls: every form users paste, and everything we refuse.

Ids and handles come from the recorded samples in shared/samples/ (yt-dlp test
cases, API examples), so the table mirrors real URLs.
"""

import dataclasses
import pickle
import socket

import pytest

from platforms.urls import (
    ACCEPTED_FORMS,
    ALLOWED_HOSTS,
    KIND_POST,
    KIND_PROFILE,
    PLATFORM_INSTAGRAM,
    PLATFORM_TIKTOK,
    PLATFORM_YOUTUBE,
    ParsedURL,
    UnsupportedURL,
    is_allowed_host,
    parse_url,
)

IG, TT, YT = "instagram", "tiktok", "youtube"
POST, PROFILE = "post", "profile"

# (pasted input, platform, kind, post_id, username, canonical_url, needs_redirect)
ACCEPTED = [
    # Instagram posts: /p/, /reel/, /reels/, /tv/ all share one canonical /p/ URL.
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/reel/Chunk8-jurw/",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "https://www.instagram.com/tv/BkfuX9UB-eK/",
        IG,
        POST,
        "BkfuX9UB-eK",
        None,
        "https://www.instagram.com/p/BkfuX9UB-eK/",
        False,
    ),
    (
        "https://www.instagram.com/reels/Chunk8-jurw/",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "instagram.com/p/ABC/",
        IG,
        POST,
        "ABC",
        None,
        "https://www.instagram.com/p/ABC/",
        False,
    ),
    (
        "www.instagram.com/reel/Chunk8-jurw",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "http://instagram.com/p/CRyZoh5DX9y",
        IG,
        POST,
        "CRyZoh5DX9y",
        None,
        "https://www.instagram.com/p/CRyZoh5DX9y/",
        False,
    ),
    (
        "//www.instagram.com/p/CRyZpjhDO_k/",
        IG,
        POST,
        "CRyZpjhDO_k",
        None,
        "https://www.instagram.com/p/CRyZpjhDO_k/",
        False,
    ),
    (
        "HTTPS://WWW.INSTAGRAM.COM/p/CRyZpjiDYZr/",
        IG,
        POST,
        "CRyZpjiDYZr",
        None,
        "https://www.instagram.com/p/CRyZpjiDYZr/",
        False,
    ),
    (
        "https://WwW.Instagram.Com/P/CRyZpjiDYZr/",
        IG,
        POST,
        "CRyZpjiDYZr",
        None,
        "https://www.instagram.com/p/CRyZpjiDYZr/",
        False,
    ),
    (
        "https://m.instagram.com/p/CRyZpmrjYC4/",
        IG,
        POST,
        "CRyZpmrjYC4",
        None,
        "https://www.instagram.com/p/CRyZpmrjYC4/",
        False,
    ),
    (
        "  https://www.instagram.com/p/CSpNPqgFxE0/ \n",
        IG,
        POST,
        "CSpNPqgFxE0",
        None,
        "https://www.instagram.com/p/CSpNPqgFxE0/",
        False,
    ),
    (
        "https://www.instagram.com/p/CSr71Gzlqo4//",
        IG,
        POST,
        "CSr71Gzlqo4",
        None,
        "https://www.instagram.com/p/CSr71Gzlqo4/",
        False,
    ),
    (
        "https://www.instagram.com//p//CSr71Gzlqo4",
        IG,
        POST,
        "CSr71Gzlqo4",
        None,
        "https://www.instagram.com/p/CSr71Gzlqo4/",
        False,
    ),
    (
        "https://www.instagram.com/p/CSr71Gzlqo4/#comments",
        IG,
        POST,
        "CSr71Gzlqo4",
        None,
        "https://www.instagram.com/p/CSr71Gzlqo4/",
        False,
    ),
    (
        "https://www.instagram.com/reel/DRqAYKuAIUx/?igsh=MzRlODBiNWFlZA==",
        IG,
        POST,
        "DRqAYKuAIUx",
        None,
        "https://www.instagram.com/p/DRqAYKuAIUx/",
        False,
    ),
    (
        "https://www.instagram.com/reel/DRqAYKuAIUx/?utm_source=ig_web_copy_link&igshid=MzRlODBiNWFlZA==",
        IG,
        POST,
        "DRqAYKuAIUx",
        None,
        "https://www.instagram.com/p/DRqAYKuAIUx/",
        False,
    ),
    (
        "https://www.instagram.com/reel/Chunk8-jurw/?igsh=NTc4MTIwNjQ2YQ%3D%3D"
        "&utm_source=ig_web_button_share_sheet&utm_medium=copy_link&utm_campaign=share"
        "&utm_content=reel&ig_rid=a1b2c3d4-e5f6-7890-abcd-ef0123456789",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/?img_index=2",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/?hl=en",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/tv/BkfuX9UB-eK/?utm_source=ig_share_sheet&igshid=1fb6ba5ilmrcc",
        IG,
        POST,
        "BkfuX9UB-eK",
        None,
        "https://www.instagram.com/p/BkfuX9UB-eK/",
        False,
    ),
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/embed/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/embed/captioned/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/reel/Chunk8-jurw/embed/?cr=1&v=14",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "https://www.instagram.com/p/BQ0eAlwhDrw/c/17912345678901234/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/reel/DRqAYKuAIUx/",
        IG,
        POST,
        "DRqAYKuAIUx",
        "natgeo",
        "https://www.instagram.com/p/DRqAYKuAIUx/",
        False,
    ),
    (
        "https://www.instagram.com/NatGeo/p/DRqAYKuAIUx/?igsh=abc",
        IG,
        POST,
        "DRqAYKuAIUx",
        "natgeo",
        "https://www.instagram.com/p/DRqAYKuAIUx/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/reels/DRqAYKuAIUx/",
        IG,
        POST,
        "DRqAYKuAIUx",
        "natgeo",
        "https://www.instagram.com/p/DRqAYKuAIUx/",
        False,
    ),
    (
        "https://www.instagram.com/the_holy_crusader/tv/BkfuX9UB-eK/",
        IG,
        POST,
        "BkfuX9UB-eK",
        "the_holy_crusader",
        "https://www.instagram.com/p/BkfuX9UB-eK/",
        False,
    ),
    (
        "https://www.instagram.com/dm/p/BQ0eAlwhDrw/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/dm/reel/Chunk8-jurw/?igsh=x",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "https://www.instagram.com/p/-BQ0eAlwhDr/",
        IG,
        POST,
        "-BQ0eAlwhDr",
        None,
        "https://www.instagram.com/p/-BQ0eAlwhDr/",
        False,
    ),
    (
        "https://www.instagram.com/reel/_a_B-c9/",
        IG,
        POST,
        "_a_B-c9",
        None,
        "https://www.instagram.com/p/_a_B-c9/",
        False,
    ),
    (
        "https://instagram.com./p/BQ0eAlwhDrw/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com:443/p/BQ0eAlwhDrw/",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    (
        "https://www.instagram.com/accounts/login/?next=%2Freel%2FChunk8-jurw%2F%3Figsh%3Dabc",
        IG,
        POST,
        "Chunk8-jurw",
        None,
        "https://www.instagram.com/p/Chunk8-jurw/",
        False,
    ),
    (
        "https://www.instagram.com/accounts/login/"
        "?next=https%3A%2F%2Fwww.instagram.com%2Fp%2FBQ0eAlwhDrw%2F&source=mobile_nav",
        IG,
        POST,
        "BQ0eAlwhDrw",
        None,
        "https://www.instagram.com/p/BQ0eAlwhDrw/",
        False,
    ),
    # Instagram share links: the code is a redirect token, not a shortcode.
    (
        "https://www.instagram.com/share/BAMXu9WbqQ/",
        IG,
        POST,
        None,
        None,
        "https://www.instagram.com/share/BAMXu9WbqQ/",
        True,
    ),
    (
        "https://www.instagram.com/share/p/BAMXu9WbqQ/?igsh=MWQ1ZGUxMzBkMA==",
        IG,
        POST,
        None,
        None,
        "https://www.instagram.com/share/p/BAMXu9WbqQ/",
        True,
    ),
    (
        "https://www.instagram.com/share/reel/BACLz4dMXd/",
        IG,
        POST,
        None,
        None,
        "https://www.instagram.com/share/reel/BACLz4dMXd/",
        True,
    ),
    (
        "instagram.com/share/REEL/_-Ab3",
        IG,
        POST,
        None,
        None,
        "https://www.instagram.com/share/reel/_-Ab3/",
        True,
    ),
    # Instagram profiles: usernames are stored lower-case.
    (
        "https://www.instagram.com/natgeo/",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/NatGeo",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "instagram.com/natgeo?hl=en",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/reels/",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/tagged/",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/profilecard/?igsh=MWQ1ZGUxMzBkMA==",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/?utm_source=ig_web_button_share_sheet&igshid=ZDNlZDc0MzIxNw==",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/the_holy_crusader/",
        IG,
        PROFILE,
        None,
        "the_holy_crusader",
        "https://www.instagram.com/the_holy_crusader/",
        False,
    ),
    (
        "https://m.instagram.com/The.Holy.Crusader/#",
        IG,
        PROFILE,
        None,
        "the.holy.crusader",
        "https://www.instagram.com/the.holy.crusader/",
        False,
    ),
    (
        "https://www.instagram.com/_u/natgeo/",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/natgeo/./tagged/",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "//instagram.com/natgeo//",
        IG,
        PROFILE,
        None,
        "natgeo",
        "https://www.instagram.com/natgeo/",
        False,
    ),
    (
        "https://www.instagram.com/instagram/",
        IG,
        PROFILE,
        None,
        "instagram",
        "https://www.instagram.com/instagram/",
        False,
    ),
    (
        "https://www.instagram.com/a/",
        IG,
        PROFILE,
        None,
        "a",
        "https://www.instagram.com/a/",
        False,
    ),
    (
        "https://www.instagram.com/abcdefghijklmnopqrstuvwxyz_123/",
        IG,
        PROFILE,
        None,
        "abcdefghijklmnopqrstuvwxyz_123",
        "https://www.instagram.com/abcdefghijklmnopqrstuvwxyz_123/",
        False,
    ),
    # TikTok videos and photo posts.
    (
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190?langCountry=en",
        TT,
        POST,
        "6742501081818877190",
        "patroxofficial",
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190",
        False,
    ),
    (
        "https://www.tiktok.com/@hara_yoimiya/video/7253412088251534594",
        TT,
        POST,
        "7253412088251534594",
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya/video/7253412088251534594",
        False,
    ),
    (
        "https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594",
        TT,
        POST,
        "7253412088251534594",
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594",
        False,
    ),
    (
        "https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594?is_from_webapp=1&sender_device=pc",
        TT,
        POST,
        "7253412088251534594",
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594",
        False,
    ),
    (
        "https://www.tiktok.com/@kierapleaze/video/6886892080350629125",
        TT,
        POST,
        "6886892080350629125",
        "kierapleaze",
        "https://www.tiktok.com/@kierapleaze/video/6886892080350629125",
        False,
    ),
    (
        "https://www.tiktok.com/@emojibattery/video/7496800151642721543"
        "?is_from_webapp=1&sender_device=pc&web_id=7311223344556677889",
        TT,
        POST,
        "7496800151642721543",
        "emojibattery",
        "https://www.tiktok.com/@emojibattery/video/7496800151642721543",
        False,
    ),
    (
        "https://www.tiktok.com/@ringtone_29/video/7366196093748546821?is_from_webapp=1&sender_device=pc",
        TT,
        POST,
        "7366196093748546821",
        "ringtone_29",
        "https://www.tiktok.com/@ringtone_29/video/7366196093748546821",
        False,
    ),
    (
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190"
        "?_r=1&_t=8kDX7Jdm3Ke&is_copy_url=1&is_from_webapp=v1&share_app_id=1233",
        TT,
        POST,
        "6742501081818877190",
        "patroxofficial",
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190",
        False,
    ),
    (
        "tiktok.com/@PatroxOfficial/video/6742501081818877190",
        TT,
        POST,
        "6742501081818877190",
        "patroxofficial",
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190",
        False,
    ),
    (
        "HTTP://WWW.TIKTOK.COM/@PATROXOFFICIAL/VIDEO/6742501081818877190",
        TT,
        POST,
        "6742501081818877190",
        "patroxofficial",
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190",
        False,
    ),
    (
        "https://m.tiktok.com/@patroxofficial/video/6742501081818877190",
        TT,
        POST,
        "6742501081818877190",
        "patroxofficial",
        "https://www.tiktok.com/@patroxofficial/video/6742501081818877190",
        False,
    ),
    (
        "//www.tiktok.com/@hara_yoimiya/video/7253412088251534594//#comments",
        TT,
        POST,
        "7253412088251534594",
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya/video/7253412088251534594",
        False,
    ),
    (
        " https://www.tiktok.com/@.dot.user_/video/7253412088251534594\t",
        TT,
        POST,
        "7253412088251534594",
        ".dot.user_",
        "https://www.tiktok.com/@.dot.user_/video/7253412088251534594",
        False,
    ),
    (
        "https://www.tiktok.com/@MS4wLjABAAAAIAlDxriiPWLE-p8p1R_0Bx8qWKfi-7zwmGhzU8Mv25W8sNxjfIKrol31qTczzuLB"
        "/video/7253412088251534594",
        TT,
        POST,
        "7253412088251534594",
        None,
        "https://www.tiktok.com/@_/video/7253412088251534594",
        False,
    ),
    (
        "https://www.tiktok.com/@MS4wLjABAAAAdZ_NcPPgMneaGrW0hN8O_J_bwLshwNNERRF5DxOw2HKIzk0kdlLrR8RkVl1ksrMO"
        "/video/7106798200794926362?_t=8SyNGW&_r=1",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://www.tiktok.com/@/video/7106798200794926362",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://www.tiktok.com/@/photo/7106798200794926362",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/photo/7106798200794926362",
        False,
    ),
    (
        "https://m.tiktok.com/v/6742501081818877190.html",
        TT,
        POST,
        "6742501081818877190",
        None,
        "https://www.tiktok.com/@_/video/6742501081818877190",
        False,
    ),
    (
        "https://m.tiktok.com/v/6742501081818877190.html?_r=1&_t=8abcDEF&u_code=dc1234",
        TT,
        POST,
        "6742501081818877190",
        None,
        "https://www.tiktok.com/@_/video/6742501081818877190",
        False,
    ),
    (
        "https://www.tiktok.com/embed/v2/7106798200794926362",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://www.tiktok.com/embed/7106798200794926362?lang=en",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://www.tiktok.com/share/video/7106798200794926362",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://www.tiktok.com/foryou?item_id=7496800151642721543&lang=en",
        TT,
        POST,
        "7496800151642721543",
        None,
        "https://www.tiktok.com/@_/video/7496800151642721543",
        False,
    ),
    (
        "https://www.tiktok.com/?shareId=7106798200794926362",
        TT,
        POST,
        "7106798200794926362",
        None,
        "https://www.tiktok.com/@_/video/7106798200794926362",
        False,
    ),
    (
        "https://m.tiktok.com/h5/share/usr/list.html?shareId=7366196093748546821&u_code=abc",
        TT,
        POST,
        "7366196093748546821",
        None,
        "https://www.tiktok.com/@_/video/7366196093748546821",
        False,
    ),
    # TikTok short links: followed later by the network step.
    (
        "https://vm.tiktok.com/ZTR45GpSF/",
        TT,
        POST,
        None,
        None,
        "https://vm.tiktok.com/ZTR45GpSF/",
        True,
    ),
    (
        "vm.tiktok.com/ZTR45GpSF",
        TT,
        POST,
        None,
        None,
        "https://vm.tiktok.com/ZTR45GpSF/",
        True,
    ),
    (
        "http://VM.TIKTOK.COM/ZTR45GpSF/?k=1",
        TT,
        POST,
        None,
        None,
        "https://vm.tiktok.com/ZTR45GpSF/",
        True,
    ),
    (
        "https://vt.tiktok.com/ZSY-a1b2c/",
        TT,
        POST,
        None,
        None,
        "https://vt.tiktok.com/ZSY-a1b2c/",
        True,
    ),
    (
        "https://www.tiktok.com/t/ZT8abc-12/",
        TT,
        POST,
        None,
        None,
        "https://www.tiktok.com/t/ZT8abc-12/",
        True,
    ),
    (
        "tiktok.com/t/ZTR45GpSF",
        TT,
        POST,
        None,
        None,
        "https://www.tiktok.com/t/ZTR45GpSF/",
        True,
    ),
    # TikTok profiles.
    (
        "https://tiktok.com/@corgibobaa?lang=en",
        TT,
        PROFILE,
        None,
        "corgibobaa",
        "https://www.tiktok.com/@corgibobaa",
        False,
    ),
    (
        "https://www.tiktok.com/@patrox",
        TT,
        PROFILE,
        None,
        "patrox",
        "https://www.tiktok.com/@patrox",
        False,
    ),
    (
        "https://www.tiktok.com/@hara_yoimiya?",
        TT,
        PROFILE,
        None,
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya",
        False,
    ),
    (
        "https://www.tiktok.com/@Hara_Yoimiya/posts",
        TT,
        PROFILE,
        None,
        "hara_yoimiya",
        "https://www.tiktok.com/@hara_yoimiya",
        False,
    ),
    (
        "https://www.tiktok.com/@.leading.dot",
        TT,
        PROFILE,
        None,
        ".leading.dot",
        "https://www.tiktok.com/@.leading.dot",
        False,
    ),
    (
        "https://m.tiktok.com/@corgibobaa/",
        TT,
        PROFILE,
        None,
        "corgibobaa",
        "https://www.tiktok.com/@corgibobaa",
        False,
    ),
    (
        "https://www.tiktok.com/@kierapleaze?is_from_webapp=1&sender_device=pc",
        TT,
        PROFILE,
        None,
        "kierapleaze",
        "https://www.tiktok.com/@kierapleaze",
        False,
    ),
    (
        "tiktok.com/@EmojiBattery?_t=8lQ&_r=1",
        TT,
        PROFILE,
        None,
        "emojibattery",
        "https://www.tiktok.com/@emojibattery",
        False,
    ),
    (
        "https://www.tiktok.com/%40ringtone_29",
        TT,
        PROFILE,
        None,
        "ringtone_29",
        "https://www.tiktok.com/@ringtone_29",
        False,
    ),
    # YouTube videos: one canonical watch URL whatever the form.
    (
        "https://www.youtube.com/watch?v=YE7VzlLtp-4&t=1s&end=9",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "youtube.com/watch?v=5KLPxDtMqe8",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "  HTTPS://WWW.YOUTUBE.COM/watch?v=YE7VzlLtp-4  ",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "//www.youtube.com/watch?v=YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "http://youtube.com/watch?v=YE7VzlLtp-4#t=30",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://m.youtube.com/watch?v=5KLPxDtMqe8&feature=youtu.be",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://music.youtube.com/watch?v=5KLPxDtMqe8&si=qv9lsB-nXaBc1234",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://www.youtube.com/watch?v=YE7VzlLtp-4&amp;t=10",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?feature=share&amp;v=YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?feature=share&v=YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?app=desktop&v=5KLPxDtMqe8&si=abc",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://www.youtube.com/watch?v=YE7VzlLtp-4&v=5KLPxDtMqe8",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?v=YE7VzlLtp-4&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&index=2",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/watch?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&v=YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&v=YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://youtu.be/YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://youtu.be/YE7VzlLtp-4?si=B_RZg_I-lLaa7UU-",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "youtu.be/5KLPxDtMqe8?t=42",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "HTTP://YOUTU.BE/5KLPxDtMqe8/",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://www.youtube.com/shorts/18NGQq7p3LY",
        YT,
        POST,
        "18NGQq7p3LY",
        None,
        "https://www.youtube.com/watch?v=18NGQq7p3LY",
        False,
    ),
    (
        "https://youtube.com/shorts/18NGQq7p3LY?feature=share",
        YT,
        POST,
        "18NGQq7p3LY",
        None,
        "https://www.youtube.com/watch?v=18NGQq7p3LY",
        False,
    ),
    (
        "https://www.youtube.com/shorts/sSM9J5YH_60?si=xKp3Lq",
        YT,
        POST,
        "sSM9J5YH_60",
        None,
        "https://www.youtube.com/watch?v=sSM9J5YH_60",
        False,
    ),
    (
        "https://m.youtube.com/shorts/18NGQq7p3LY/",
        YT,
        POST,
        "18NGQq7p3LY",
        None,
        "https://www.youtube.com/watch?v=18NGQq7p3LY",
        False,
    ),
    (
        "https://www.youtube.com/live/5KLPxDtMqe8?feature=share",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://www.youtube.com/embed/YE7VzlLtp-4?start=30",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/embed/YE7VzlLtp-4?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube-nocookie.com/embed/YE7VzlLtp-4",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://youtube-nocookie.com/embed/YE7VzlLtp-4?rel=0",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://www.youtube.com/v/YE7VzlLtp-4?version=3",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "http://www.youtube.com/v/YE7VzlLtp-4&hl=en_US&fs=1",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D"
        "YE7VzlLtp-4%26cbrd%3D1&gl=DE&m=0&pc=yt&cm=2&hl=de&src=1",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    (
        "https://consent.youtube.com/ml?continue=https://www.youtube.com/shorts/18NGQq7p3LY%3Fcbrd%3D1"
        "&gl=FR&hl=fr",
        YT,
        POST,
        "18NGQq7p3LY",
        None,
        "https://www.youtube.com/watch?v=18NGQq7p3LY",
        False,
    ),
    (
        "https://consent.youtube.com/m?continue=https%3A%2F%2Fyoutu.be%2F5KLPxDtMqe8%3Fsi%3Dabc&gl=NL",
        YT,
        POST,
        "5KLPxDtMqe8",
        None,
        "https://www.youtube.com/watch?v=5KLPxDtMqe8",
        False,
    ),
    (
        "https://www.youtube.com/attribution_link?a=abc&u=%2Fwatch%3Fv%3DYE7VzlLtp-4%26feature%3Dshare",
        YT,
        POST,
        "YE7VzlLtp-4",
        None,
        "https://www.youtube.com/watch?v=YE7VzlLtp-4",
        False,
    ),
    # YouTube channels: handles lower-cased, channel ids and legacy names kept as given.
    (
        "https://www.youtube.com/@3blue1brown/about",
        YT,
        PROFILE,
        None,
        "3blue1brown",
        "https://www.youtube.com/@3blue1brown",
        False,
    ),
    (
        "https://www.youtube.com/@NotJustBikes/shorts",
        YT,
        PROFILE,
        None,
        "notjustbikes",
        "https://www.youtube.com/@notjustbikes",
        False,
    ),
    (
        "https://www.youtube.com/@NotJustBikes",
        YT,
        PROFILE,
        None,
        "notjustbikes",
        "https://www.youtube.com/@notjustbikes",
        False,
    ),
    (
        "https://www.youtube.com/@BlenderOfficial/videos?view=0&sort=p",
        YT,
        PROFILE,
        None,
        "blenderofficial",
        "https://www.youtube.com/@blenderofficial",
        False,
    ),
    (
        "https://m.youtube.com/@SciShow/streams",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/@scishow",
        False,
    ),
    (
        "https://www.youtube.com/@SciShow/playlists",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/@scishow",
        False,
    ),
    (
        "https://www.youtube.com/@SciShow/featured",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/@scishow",
        False,
    ),
    (
        "https://www.youtube.com/@SciShow/community",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/@scishow",
        False,
    ),
    (
        "youtube.com/@SciShow?si=abc",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/@scishow",
        False,
    ),
    (
        "https://www.youtube.com/@coletdjnz/#about",
        YT,
        PROFILE,
        None,
        "coletdjnz",
        "https://www.youtube.com/@coletdjnz",
        False,
    ),
    (
        "https://www.youtube.com/@으아-v1k",
        YT,
        PROFILE,
        None,
        "으아-v1k",
        "https://www.youtube.com/@으아-v1k",
        False,
    ),
    (
        "https://www.youtube.com/@%EC%9C%BC%EC%95%84-v1k/videos",
        YT,
        PROFILE,
        None,
        "으아-v1k",
        "https://www.youtube.com/@으아-v1k",
        False,
    ),
    (
        "https://www.youtube.com/@%E3%83%8F%E3%83%AB%E3%83%92",
        YT,
        PROFILE,
        None,
        "ハルヒ",
        "https://www.youtube.com/@ハルヒ",
        False,
    ),
    (
        "https://www.youtube.com/@Café",
        YT,
        PROFILE,
        None,
        "café",
        "https://www.youtube.com/@café",
        False,
    ),
    (
        "https://www.youtube.com/@cafe\u0301",
        YT,
        PROFILE,
        None,
        "café",
        "https://www.youtube.com/@café",
        False,
    ),
    (
        "https://www.youtube.com/channel/UCYO_jab_esuFRV4b17AJtAw",
        YT,
        PROFILE,
        None,
        "UCYO_jab_esuFRV4b17AJtAw",
        "https://www.youtube.com/channel/UCYO_jab_esuFRV4b17AJtAw",
        False,
    ),
    (
        "https://www.youtube.com/channel/UCiu-3thuViMebBjw_5nWYrA/shorts",
        YT,
        PROFILE,
        None,
        "UCiu-3thuViMebBjw_5nWYrA",
        "https://www.youtube.com/channel/UCiu-3thuViMebBjw_5nWYrA",
        False,
    ),
    (
        "https://m.youtube.com/channel/UC0intLFzLaudFG-xAvUEO-A/videos?view=0",
        YT,
        PROFILE,
        None,
        "UC0intLFzLaudFG-xAvUEO-A",
        "https://www.youtube.com/channel/UC0intLFzLaudFG-xAvUEO-A",
        False,
    ),
    (
        "https://music.youtube.com/channel/UCSMOQeBJ2RAnuFungnQOxLg",
        YT,
        PROFILE,
        None,
        "UCSMOQeBJ2RAnuFungnQOxLg",
        "https://www.youtube.com/channel/UCSMOQeBJ2RAnuFungnQOxLg",
        False,
    ),
    (
        "youtube.com/channel/UCZYTClx2T1of7BRZ86-8fow/about?si=x",
        YT,
        PROFILE,
        None,
        "UCZYTClx2T1of7BRZ86-8fow",
        "https://www.youtube.com/channel/UCZYTClx2T1of7BRZ86-8fow",
        False,
    ),
    (
        "https://www.youtube.com/c/3blue1brown",
        YT,
        PROFILE,
        None,
        "3blue1brown",
        "https://www.youtube.com/c/3blue1brown",
        False,
    ),
    (
        "https://www.youtube.com/c/NotJustBikes/videos",
        YT,
        PROFILE,
        None,
        "NotJustBikes",
        "https://www.youtube.com/c/NotJustBikes",
        False,
    ),
    (
        "https://www.youtube.com/user/BlenderFoundation",
        YT,
        PROFILE,
        None,
        "BlenderFoundation",
        "https://www.youtube.com/user/BlenderFoundation",
        False,
    ),
    (
        "https://www.youtube.com/user/scishow/about?hl=en",
        YT,
        PROFILE,
        None,
        "scishow",
        "https://www.youtube.com/user/scishow",
        False,
    ),
]

# (pasted input, fragment of the message that says what was wrong)
REJECTED = [
    ("", "the URL is empty"),
    ("   \n\t", "the URL is empty"),
    ("ftp://instagram.com/p/BQ0eAlwhDrw/", "ftp: scheme is not allowed"),
    ("javascript:alert(document.cookie)//instagram.com/p/x", "javascript: scheme is not allowed"),
    ("file:///etc/passwd", "file: scheme is not allowed"),
    ("data:text/html,<script>alert(1)</script>", "data: scheme is not allowed"),
    ("mailto:press@instagram.com", "mailto: scheme is not allowed"),
    ("https://instagram.com.evil.com/p/BQ0eAlwhDrw/", "'instagram.com.evil.com' is not an"),
    ("https://evilinstagram.com/p/BQ0eAlwhDrw/", "'evilinstagram.com' is not an"),
    ("https://www.instagram.com@evil.com/p/BQ0eAlwhDrw/", "'evil.com' is not an"),
    ("https://evil.com@www.instagram.com/p/BQ0eAlwhDrw/", "user name or password"),
    ("https://www.youtube.com.evil.com/watch?v=YE7VzlLtp-4", "is not an Instagram, TikTok"),
    ("https://tiktok.com.evil.com/@patrox", "is not an Instagram, TikTok"),
    ("https://www.facebook.com/watch?v=123", "'www.facebook.com' is not an"),
    ("natgeo", "'natgeo' is not an"),
    ("https://", "the URL has no host"),
    ("https:///p/BQ0eAlwhDrw/", "the URL has no host"),
    ("http://[::1", "the URL is malformed"),
    ("https://www.instagram.com/p/BQ0eAlwhDrw/?x=" + "a" * 2048, "longer than 2048 characters"),
    # Instagram
    ("https://www.instagram.com/", "names no post or profile"),
    ("https://www.instagram.com/stories/natgeo/3123456789012345678/", "ephemeral"),
    ("https://www.instagram.com/stories/highlights/17912345678901234/", "ephemeral"),
    (
        "https://www.instagram.com/s/aGlnaGxpZ2h0OjE3OTEyMzQ1Njc4OTAxMjM0?story_media_id=1",
        "ephemeral",
    ),
    ("https://www.instagram.com/explore/", "/explore/ is an Instagram page"),
    ("https://www.instagram.com/explore/tags/cats/", "/explore/ is an Instagram page"),
    ("https://www.instagram.com/accounts/edit/", "/accounts/ is an Instagram page"),
    ("https://www.instagram.com/direct/inbox/", "/direct/ is an Instagram page"),
    ("https://www.instagram.com/about/us/", "/about/ is an Instagram page"),
    ("https://www.instagram.com/developer/", "/developer/ is an Instagram page"),
    ("https://www.instagram.com/legal/privacy/", "/legal/ is an Instagram page"),
    ("https://www.instagram.com/dm/", "names no post or profile"),
    ("https://www.instagram.com/natgeo/../", "names no post or profile"),
    ("https://www.instagram.com/reels/", "reels feed, not a post"),
    ("https://www.instagram.com/reels/audio/1234567890/", "audio pages are not posts"),
    ("https://www.instagram.com/p/", "no post id after /p/"),
    ("https://www.instagram.com/reel/", "no post id after /reel/"),
    ("https://www.instagram.com/tv/", "no post id after /tv/"),
    ("https://www.instagram.com/natgeo/p/", "no post id after /p/"),
    ("https://www.instagram.com/p/BQ0e$lwhDrw/", "not a valid Instagram post id"),
    ("https://www.instagram.com/not-a-user/", "not a valid Instagram username"),
    ("https://www.instagram.com/" + "a" * 31 + "/", "not a valid Instagram username"),
    ("https://www.instagram.com/not-a-user/p/BQ0eAlwhDrw/", "not a valid Instagram username"),
    ("https://www.instagram.com/natgeo/followers/extra/", "not an Instagram post or profile page"),
    ("https://www.instagram.com/share/", "share link has no code"),
    (
        "https://www.instagram.com/accounts/login/?next=https%3A%2F%2Fevil.com%2Fp%2FABC%2F",
        "login page leads away from Instagram",
    ),
    # TikTok
    ("https://www.tiktok.com/", "names no video or profile"),
    ("https://www.tiktok.com/@patroxofficial/video/abc", "not a TikTok video id"),
    ("https://www.tiktok.com/@patroxofficial/video/", "no id after /video/"),
    ("https://www.tiktok.com/@patroxofficial/photo/12ab", "not a TikTok video id"),
    ("https://m.tiktok.com/v/abc.html", "not a TikTok video id"),
    ("https://www.tiktok.com/embed/v2/notanid", "not a TikTok video id"),
    ("https://www.tiktok.com/foryou?item_id=abc", "not a TikTok video id"),
    ("https://www.tiktok.com/foryou", "not a TikTok video or profile page"),
    ("https://www.tiktok.com/@patroxofficial/live", "LIVE is ephemeral"),
    ("https://www.tiktok.com/@", "no username after @"),
    (
        "https://www.tiktok.com/@MS4wLjABAAAAepiJKgwWhulvCpSuUVsp7sgVVsFJbbNaLeQ6OQ0oAJERGDUIXhb2yxxHZedsItgT",
        "internal account id",
    ),
    ("https://www.tiktok.com/@bad-name", "not a valid TikTok username"),
    ("https://vm.tiktok.com/", "short link should be vm.tiktok.com/CODE"),
    ("https://vt.tiktok.com/ZSY/extra/", "short link should be vt.tiktok.com/CODE"),
    ("https://vm.tiktok.com/ZT$R45/", "not a valid TikTok short-link code"),
    ("https://www.tiktok.com/t/", "short link should be tiktok.com/t/CODE"),
    # YouTube
    ("https://www.youtube.com/", "names no video or channel"),
    ("https://www.youtube.com/watch?v=YE7VzlLtp-", "not a YouTube video id"),
    ("https://www.youtube.com/watch?v=YE7VzlLtp-4x", "not a YouTube video id"),
    ("https://www.youtube.com/watch?v=YE7VzlLtp!4", "not a YouTube video id"),
    ("https://www.youtube.com/watch?v=&v=YE7VzlLtp-4", "not a YouTube video id"),
    ("https://youtu.be/YE7VzlLtp", "not a YouTube video id"),
    ("https://youtu.be/", "youtu.be link has no video id"),
    ("https://www.youtube.com/shorts/", "no video id after /shorts/"),
    ("https://www.youtube.com/shorts/18NGQq7p3LYX", "not a YouTube video id"),
    ("https://www.youtube.com/watch?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf", "playlists are not"),
    ("https://www.youtube.com/watch?feature=share", "no v= video id"),
    (
        "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
        "playlists are not supported",
    ),
    (
        "https://www.youtube.com/embed/videoseries?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
        "playlists are not supported",
    ),
    ("https://www.youtube.com/channel/UCshort", "not a YouTube channel id"),
    ("https://www.youtube.com/channel/", "no channel after /channel/"),
    ("https://www.youtube.com/@SciShow/videos/extra", "not a YouTube channel page"),
    ("https://www.youtube.com/@Sci Show", "not a valid YouTube handle"),
    ("https://www.youtube.com/results?search_query=cats", "not a YouTube video or channel page"),
    ("https://www.youtube.com/feed/subscriptions", "not a YouTube video or channel page"),
    ("https://consent.youtube.com/m?gl=DE&hl=de", "consent page does not say which page"),
    (
        "https://consent.youtube.com/m?continue=https%3A%2F%2Fevil.com%2Fwatch%3Fv%3DYE7VzlLtp-4",
        "consent page leads away from YouTube",
    ),
    (
        "https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.instagram.com%2Fp%2FBQ0eAlwhDrw%2F",
        "consent page leads away from YouTube",
    ),
]


@pytest.mark.parametrize(
    ("url", "platform", "kind", "post_id", "username", "canonical_url", "needs_redirect"),
    ACCEPTED,
)
def test_a_pasted_url_parses_to_its_post_or_profile(
    url, platform, kind, post_id, username, canonical_url, needs_redirect
):
    parsed = parse_url(url)

    assert (
        parsed.platform,
        parsed.kind,
        parsed.post_id,
        parsed.username,
        parsed.canonical_url,
        parsed.needs_redirect,
    ) == (platform, kind, post_id, username, canonical_url, needs_redirect)


@pytest.mark.parametrize(("url", "fragment"), REJECTED)
def test_an_unsupported_url_is_rejected_with_a_reason_and_the_accepted_forms(url, fragment):
    with pytest.raises(UnsupportedURL) as caught:
        parse_url(url)

    message = str(caught.value)
    assert message.startswith("Not a supported URL: ")
    assert fragment in message
    assert message.endswith("Accepted: " + ACCEPTED_FORMS)


@pytest.mark.parametrize("row", ACCEPTED, ids=lambda row: row[0][:80])
def test_a_canonical_url_parses_back_to_itself(row):
    canonical_url = row[5]

    reparsed = parse_url(canonical_url)

    assert reparsed.canonical_url == canonical_url
    assert reparsed.post_id == row[3]


@pytest.mark.parametrize(
    "forms",
    [
        [
            "https://www.instagram.com/p/Chunk8-jurw/",
            "https://www.instagram.com/reel/Chunk8-jurw/?igsh=MzRlODBiNWFlZA==",
            "instagram.com/reels/Chunk8-jurw",
            "https://m.instagram.com/tv/Chunk8-jurw/embed/captioned/",
            "https://www.instagram.com/natgeo/reel/Chunk8-jurw/",
        ],
        [
            "https://www.tiktok.com/@patroxofficial/video/6742501081818877190?langCountry=en",
            "tiktok.com/@PatroxOfficial/video/6742501081818877190/",
            "https://m.tiktok.com/@patroxofficial/video/6742501081818877190?_r=1&_t=8kDX",
        ],
        [
            "https://www.youtube.com/shorts/18NGQq7p3LY",
            "https://youtu.be/18NGQq7p3LY?si=abc",
            "https://www.youtube.com/watch?v=18NGQq7p3LY&amp;t=3",
            "https://m.youtube.com/embed/18NGQq7p3LY",
            "https://www.youtube-nocookie.com/embed/18NGQq7p3LY",
        ],
        [
            "https://www.youtube.com/@NotJustBikes",
            "youtube.com/@notjustbikes/shorts?si=1",
            "https://m.youtube.com/@NOTJUSTBIKES/videos/",
        ],
        [
            "https://www.instagram.com/natgeo/",
            "instagram.com/NatGeo/reels/",
            "https://m.instagram.com/natgeo/profilecard/?igsh=x",
        ],
    ],
    ids=["instagram post", "tiktok video", "youtube short", "youtube channel", "instagram profile"],
)
def test_the_same_post_pasted_in_different_forms_has_one_canonical_url(forms):
    canonical_urls = {parse_url(form).canonical_url for form in forms}

    assert len(canonical_urls) == 1


def test_instagram_shortcodes_keep_their_case_because_they_are_case_sensitive():
    upper = parse_url("https://www.instagram.com/p/AbCdEf/")
    lower = parse_url("https://www.instagram.com/p/abcdef/")

    assert upper.post_id == "AbCdEf"
    assert upper.canonical_url != lower.canonical_url


@pytest.mark.parametrize(
    ("url", "is_short"),
    [
        ("https://www.youtube.com/shorts/18NGQq7p3LY", True),
        ("https://m.youtube.com/shorts/sSM9J5YH_60?feature=share", True),
        (
            "https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Fshorts%2F18NGQq7p3LY",
            True,
        ),
        ("https://www.youtube.com/watch?v=18NGQq7p3LY", False),
        ("https://youtu.be/18NGQq7p3LY", False),
        ("https://www.instagram.com/reel/Chunk8-jurw/", False),
        ("https://www.tiktok.com/@patroxofficial/video/6742501081818877190", False),
    ],
)
def test_only_a_youtube_shorts_url_marks_the_post_as_short(url, is_short):
    assert parse_url(url).is_short is is_short


def test_a_consent_page_wrapping_itself_too_deeply_is_rejected():
    url = "https://www.youtube.com/watch?v=YE7VzlLtp-4"
    for _ in range(5):
        url = "https://consent.youtube.com/m?continue=" + url.replace("%", "%25").replace(
            "&", "%26"
        ).replace("?", "%3F").replace("=", "%3D")

    with pytest.raises(UnsupportedURL, match="wraps too many redirects"):
        parse_url(url)


def test_a_consent_page_wrapping_a_consent_page_still_finds_the_video():
    inner = "https://consent.youtube.com/m?continue=https%3A%2F%2Fyoutu.be%2FYE7VzlLtp-4"
    outer = "https://consent.youtube.com/m?continue=" + inner.replace("%", "%25").replace(
        "?", "%3F"
    ).replace("=", "%3D")

    assert parse_url(outer).post_id == "YE7VzlLtp-4"


def test_a_non_text_input_is_rejected():
    with pytest.raises(UnsupportedURL, match="as text"):
        parse_url(None)  # type: ignore[arg-type]


def test_a_url_of_exactly_the_maximum_length_is_accepted():
    base = "https://www.instagram.com/p/BQ0eAlwhDrw/?x="
    url = base + "a" * (2048 - len(base))

    assert parse_url(url).post_id == "BQ0eAlwhDrw"


def test_parsing_never_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("parse_url must not open a connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)

    for row in ACCEPTED:
        assert parse_url(row[0]).canonical_url == row[5]
    for url, _ in REJECTED:
        with pytest.raises(UnsupportedURL):
            parse_url(url)


def test_a_parsed_url_cannot_be_changed():
    parsed = parse_url("https://www.instagram.com/p/BQ0eAlwhDrw/")

    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.post_id = "other"  # type: ignore[misc]


def test_parsed_urls_compare_and_hash_by_value():
    first = parse_url("https://youtu.be/YE7VzlLtp-4")
    second = parse_url("https://www.youtube.com/watch?v=YE7VzlLtp-4")

    assert first == second
    assert len({first, second}) == 1
    assert first == ParsedURL(
        platform="youtube",
        kind="post",
        post_id="YE7VzlLtp-4",
        username=None,
        canonical_url="https://www.youtube.com/watch?v=YE7VzlLtp-4",
    )


def test_unsupported_url_is_a_value_error_that_keeps_its_reason():
    with pytest.raises(ValueError) as caught:
        parse_url("https://www.instagram.com/stories/natgeo/")

    assert isinstance(caught.value, UnsupportedURL)
    assert caught.value.reason == (
        "Instagram stories and highlights are ephemeral and cannot be tracked"
    )


def test_unsupported_url_survives_pickling_with_the_same_message():
    error = UnsupportedURL("the URL is empty")

    restored = pickle.loads(pickle.dumps(error))

    assert str(restored) == str(error)
    assert restored.reason == "the URL is empty"


def test_the_accepted_forms_name_every_platform_and_kind():
    for form in ("instagram.com/p/ID", "tiktok.com/@USER", "youtu.be/ID", "/channel/UC"):
        assert form in ACCEPTED_FORMS


def test_platform_and_kind_constants_match_parsed_values():
    assert (PLATFORM_INSTAGRAM, PLATFORM_TIKTOK, PLATFORM_YOUTUBE) == (IG, TT, YT)
    assert (KIND_POST, KIND_PROFILE) == (POST, PROFILE)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("instagram.com", True),
        ("www.instagram.com", True),
        ("m.instagram.com", True),
        ("WWW.Instagram.COM", True),
        ("tiktok.com", True),
        ("www.tiktok.com", True),
        ("m.tiktok.com", True),
        ("vm.tiktok.com", True),
        ("vt.tiktok.com", True),
        ("youtube.com", True),
        ("www.youtube.com", True),
        ("m.youtube.com", True),
        ("music.youtube.com", True),
        ("youtu.be", True),
        ("YOUTU.BE", True),
        ("youtube-nocookie.com", True),
        ("www.youtube-nocookie.com", True),
        ("consent.youtube.com", True),
        ("www.youtube.com.", True),
        ("instagram.com.evil.com", False),
        ("evilinstagram.com", False),
        ("evil.com", False),
        ("scontent.cdninstagram.com", False),
        ("accounts.google.com", False),
        ("", False),
    ],
)
def test_only_platform_hosts_are_allowed_for_redirects(host, allowed):
    assert is_allowed_host(host) is allowed


def test_allowed_hosts_is_an_immutable_set_of_lowercase_hostnames():
    assert isinstance(ALLOWED_HOSTS, frozenset)
    assert all(host == host.lower() for host in ALLOWED_HOSTS)
    assert len(ALLOWED_HOSTS) == 25
