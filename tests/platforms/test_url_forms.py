"""platforms.urls: the URL forms yt-dlp's extractors list for the three platforms (issue 16).

Every form that names a post or a profile is accepted with today's canonical URL; stories,
live pages, clips and other pages that are not a post or a profile stay refused.
"""

import pytest

from platforms.urls import UnsupportedURL, parse_url

YT_WATCH = "https://www.youtube.com/watch?v={}"
TT_VIDEO = "https://www.tiktok.com/@_/video/{}"
IG_POST = "https://www.instagram.com/p/{}/"

# (pasted, kind, post id or username, canonical URL)
FORMS = [
    # YouTube legacy channel URLs: custom names at the root, /user/, /c/, with tabs.
    ("https://www.youtube.com/NASAgovVideo", "profile", "NASAgovVideo", "https://www.youtube.com/c/NASAgovVideo"),
    ("http://www.youtube.com/NASAgovVideo/videos", "profile", "NASAgovVideo", "https://www.youtube.com/c/NASAgovVideo"),
    ("https://youtube.com/zsecurity/", "profile", "zsecurity", "https://www.youtube.com/c/zsecurity"),
    ("https://www.youtube.com/TheYoungTurks/live", "profile", "TheYoungTurks", "https://www.youtube.com/c/TheYoungTurks"),
    ("https://m.youtube.com/TheYoungTurks/shorts?app=m", "profile", "TheYoungTurks", "https://www.youtube.com/c/TheYoungTurks"),
    ("https://www.youtube.com/user/NASAgovVideo/videos", "profile", "NASAgovVideo", "https://www.youtube.com/user/NASAgovVideo"),
    ("https://www.youtube.com/user/theCodyReeder/videos?view=0&sort=da&flow=grid", "profile", "theCodyReeder", "https://www.youtube.com/user/theCodyReeder"),
    ("https://www.youtube.com/c/3blue1brown/playlists?view=50&sort=dd&shelf_id=3", "profile", "3blue1brown", "https://www.youtube.com/c/3blue1brown"),
    ("https://www.youtube.com/c/ИгорьКлейнер/playlists?view=1&flow=grid", "profile", "ИгорьКлейнер", "https://www.youtube.com/c/ИгорьКлейнер"),
    ("https://www.youtube.com/channel/UCQvWX73GQygcwXOTSf_VDVg/home", "profile", "UCQvWX73GQygcwXOTSf_VDVg", "https://www.youtube.com/channel/UCQvWX73GQygcwXOTSf_VDVg"),
    ("https://music.youtube.com/browse/UC1a8OFewdjuLq6KlF8M_8Ng", "profile", "UC1a8OFewdjuLq6KlF8M_8Ng", "https://www.youtube.com/channel/UC1a8OFewdjuLq6KlF8M_8Ng"),
    ("https://www.youtubekids.com/channel/UCmlqkdCBesrv2Lak1mF_MxA", "profile", "UCmlqkdCBesrv2Lak1mF_MxA", "https://www.youtube.com/channel/UCmlqkdCBesrv2Lak1mF_MxA"),
    ("https://www.youtube.com/@3blue1brown/about", "profile", "3blue1brown", "https://www.youtube.com/@3blue1brown"),
    # YouTube videos on the other players and hosts.
    ("https://www.youtube.com/watch_popup?v=63RmMXCd_bQ", "post", "63RmMXCd_bQ", YT_WATCH.format("63RmMXCd_bQ")),
    ("https://www.youtube.com/movie?v=BaW_jenozKc", "post", "BaW_jenozKc", YT_WATCH.format("BaW_jenozKc")),
    ("https://www.youtube.com/?v=V36LpHqtcDY", "post", "V36LpHqtcDY", YT_WATCH.format("V36LpHqtcDY")),
    ("https://www.youtube.com/#/watch?v=BaW_jenozKc", "post", "BaW_jenozKc", YT_WATCH.format("BaW_jenozKc")),
    ("https://www.youtube.com/watch#!v=BaW_jenozKc", "post", "BaW_jenozKc", YT_WATCH.format("BaW_jenozKc")),
    ("https://www.youtube.com/watch?feature=player_embedded&amp;amp;v=V36LpHqtcDY", "post", "V36LpHqtcDY", YT_WATCH.format("V36LpHqtcDY")),
    ("https://www.youtubekids.com/watch?v=3b8nCWDgZ6Q", "post", "3b8nCWDgZ6Q", YT_WATCH.format("3b8nCWDgZ6Q")),
    ("https://youtube.googleapis.com/v/BaW_jenozKc", "post", "BaW_jenozKc", YT_WATCH.format("BaW_jenozKc")),
    ("https://music.youtube.com/watch?v=DbCvuSGfR3Y&list=RDAMVM", "post", "DbCvuSGfR3Y", YT_WATCH.format("DbCvuSGfR3Y")),
    ("https://m.youtube.com/watch?v=YE7VzlLtp-4&feature=youtu.be", "post", "YE7VzlLtp-4", YT_WATCH.format("YE7VzlLtp-4")),
    ("https://www.youtube-nocookie.com/embed/CsmdDsKjzN8?rel=0", "post", "CsmdDsKjzN8", YT_WATCH.format("CsmdDsKjzN8")),
    ("https://www.youtube.com/embed/CsmdDsKjzN8?start=3", "post", "CsmdDsKjzN8", YT_WATCH.format("CsmdDsKjzN8")),
    ("https://www.youtube.com/v/CsmdDsKjzN8&hl=en_US&fs=1", "post", "CsmdDsKjzN8", YT_WATCH.format("CsmdDsKjzN8")),
    ("https://www.youtube.com/e/CsmdDsKjzN8", "post", "CsmdDsKjzN8", YT_WATCH.format("CsmdDsKjzN8")),
    ("https://www.youtube.com/live/qVv6vCqciTM?feature=share", "post", "qVv6vCqciTM", YT_WATCH.format("qVv6vCqciTM")),
    ("https://youtu.be/yeWKywCrFtk?list=PL2qgrgXsNUG5ig9cat4ohreBjYLAPC0J5", "post", "yeWKywCrFtk", YT_WATCH.format("yeWKywCrFtk")),
    ("https://www.youtube.com/attribution_link?a=x&u=%2Fwatch%3Fv%3DEhxJLojIE_o%26feature%3Dshare", "post", "EhxJLojIE_o", YT_WATCH.format("EhxJLojIE_o")),
    ("https://m.youtube.com/shorts/BGQWPY4IigY", "post", "BGQWPY4IigY", YT_WATCH.format("BGQWPY4IigY")),
    # TikTok: numeric ids on the other hosts, photo posts, short links.
    ("https://www.tiktokv.com/share/video/7668090902816017671/", "post", "7668090902816017671", TT_VIDEO.format("7668090902816017671")),
    ("https://www.tiktok.com/share/video/7668090902816017671/", "post", "7668090902816017671", TT_VIDEO.format("7668090902816017671")),
    ("https://t.tiktok.com/i18n/share/video/6748451240264420610/?_d=1", "post", "6748451240264420610", TT_VIDEO.format("6748451240264420610")),
    ("https://m.tiktok.com/v/6748451240264420610.html?u_code=abc", "post", "6748451240264420610", TT_VIDEO.format("6748451240264420610")),
    ("https://www.tiktok.com/embed/v2/6748451240264420610", "post", "6748451240264420610", TT_VIDEO.format("6748451240264420610")),
    ("https://www.tiktok.com/@/video/7668090902816017671/", "post", "7668090902816017671", TT_VIDEO.format("7668090902816017671")),
    ("https://us.tiktok.com/@leenabhushan/video/6748451240264420610?lang=en", "post", "6748451240264420610", "https://www.tiktok.com/@leenabhushan/video/6748451240264420610"),
    ("https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594", "post", "7253412088251534594", "https://www.tiktok.com/@hara_yoimiya/photo/7253412088251534594"),
    ("https://www.tiktok.com/@6820838815978423302", "profile", "6820838815978423302", "https://www.tiktok.com/@6820838815978423302"),
    ("https://vt.tiktok.com/ZSe4FqkKd", "post", None, "https://vt.tiktok.com/ZSe4FqkKd/"),
    # Instagram: /reels/, /tv/, user-prefixed posts, instagr.am.
    ("https://www.instagram.com/reels/Cop84x6u7CP/", "post", "Cop84x6u7CP", IG_POST.format("Cop84x6u7CP")),
    ("https://www.instagram.com/tv/BkfuX9UB-eK/", "post", "BkfuX9UB-eK", IG_POST.format("BkfuX9UB-eK")),
    ("https://www.instagram.com/marvelskies.fc/p/CWqAgUZgCku/", "post", "CWqAgUZgCku", IG_POST.format("CWqAgUZgCku")),
    ("https://www.instagram.com/marvelskies.fc/tv/CWqAgUZgCku/", "post", "CWqAgUZgCku", IG_POST.format("CWqAgUZgCku")),
    ("https://instagr.am/p/BkfuX9UB-eK/", "post", "BkfuX9UB-eK", IG_POST.format("BkfuX9UB-eK")),
    ("https://www.instagr.am/porsche", "profile", "porsche", "https://www.instagram.com/porsche/"),
]  # fmt: skip

REFUSED = [
    ("https://www.youtube.com/embed/live_stream?channel=UC2_KI6RB__jGdlnK6dvFEZA", "live"),
    (
        "https://www.youtube.com/clip/UgkxU2HSeGL_NvmDJ-nQJrlLwllwMDBdGZFs",
        "clips are not supported",
    ),
    ("https://www.youtube.com/source/Lyj-MZSAA9o/shorts", "not a YouTube video or channel"),
    ("https://www.youtube.com/hashtag/cctv9", "not a YouTube video or channel"),
    ("https://www.youtube.com/feed/trending", "not a YouTube video or channel"),
    ("https://www.youtube.com/post/UgkxabcABCDEFGHIJKLMNOP", "not a YouTube video or channel"),
    ("https://www.youtube.com/robots.txt", "not a YouTube video or channel"),
    ("https://www.youtube.com/playlist?list=PL4lCao7KL_QFodcLWhDpGCYnngnHtQ-Xf", "playlists"),
    ("https://www.tiktok.com/@iris04201/live", "LIVE is ephemeral"),
    ("https://m.tiktok.com/share/live/7209423610325322522/?language=en", "LIVE is ephemeral"),
    ("https://www.tiktok.com/share/user/6820838815978423302", "internal number"),
    ("https://www.tiktok.com/music/jiefei-soap-remix-7036843036118469381", "not a TikTok video"),
    ("https://www.tiktok.com/tag/hello2018", "not a TikTok video"),
    (
        "https://www.tiktok.com/@imanoreotwe/collection/count-test-7371330159376370462",
        "not a TikTok",
    ),
    ("https://www.instagram.com/stories/fruits_zipper/3570766765028588805/", "ephemeral"),
    ("https://instagr.am/stories/highlights/18090946048123978/", "ephemeral"),
    ("https://www.instagram.com/explore/tags/lolcats/", "not a profile"),
    ("https://www.instagram.com/reels/audio/1234567890/", "audio pages"),
]


@pytest.mark.parametrize(("url", "kind", "key", "canonical"), FORMS)
def test_every_form_that_names_a_post_or_profile_is_accepted(url, kind, key, canonical):
    parsed = parse_url(url)

    assert parsed.kind == kind
    assert (parsed.post_id if kind == "post" else parsed.username) == key
    assert parsed.canonical_url == canonical


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_ephemeral_and_other_pages_stay_refused_with_a_reason(url, reason):
    with pytest.raises(UnsupportedURL, match=reason):
        parse_url(url)


def test_a_legacy_custom_name_and_its_c_form_are_one_channel():
    assert (
        parse_url("https://www.youtube.com/NASAgovVideo/videos").canonical_url
        == parse_url("https://www.youtube.com/c/NASAgovVideo").canonical_url
    )
