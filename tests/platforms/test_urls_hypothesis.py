"""parse_url on anything a user can paste: a ParsedURL or UnsupportedURL, never another error,
and a canonical URL that parses to itself."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from platforms.urls import ALLOWED_HOSTS, ParsedURL, UnsupportedURL, parse_url

# Hypothesis keeps caches in ./.hypothesis by default: not in the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "creatorops-hypothesis")
SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

hosts = st.sampled_from(sorted(ALLOWED_HOSTS)) | st.text(max_size=30)
segment = st.sampled_from(
    [
        "p",
        "reel",
        "reels",
        "tv",
        "stories",
        "video",
        "shorts",
        "watch",
        "@",
        "channel",
        "c",
        "user",
        "embed",
        "live",
        "share",
        "audio",
        "explore",
        "..",
        ".",
        "%2F",
        "",
    ]
) | st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
query = st.lists(
    st.tuples(
        st.sampled_from(["v", "u", "next", "igsh", "list", "si"]) | st.text(max_size=5),
        st.text(max_size=20),
    ),
    max_size=4,
)
schemes = st.sampled_from(
    ["https://", "http://", "", "//", "ftp://", "javascript:", "HTTPS://", "https:/"]
)


@st.composite
def url_like(draw) -> str:
    path = "/".join(draw(st.lists(segment, max_size=6)))
    params = "&".join(f"{k}={v}" for k, v in draw(query))
    text = f"{draw(schemes)}{draw(hosts)}/{path}"
    if params:
        text += "?" + params
    if draw(st.booleans()):
        text += "#" + draw(st.text(max_size=10))
    return text


def _parse(text):
    try:
        return parse_url(text)
    except UnsupportedURL:
        return None


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_parses_or_is_unsupported(text):
    result = _parse(text)
    assert result is None or isinstance(result, ParsedURL)


@SETTINGS
@given(url_like())
def test_url_like_text_parses_or_is_unsupported_and_canonical_urls_are_stable(text):
    result = _parse(text)
    if result is None or result.needs_redirect:
        return
    again = parse_url(result.canonical_url)
    assert again.canonical_url == result.canonical_url
    assert (again.platform, again.kind, again.post_id) == (
        result.platform,
        result.kind,
        result.post_id,
    )


@SETTINGS
@given(st.binary(max_size=100) | st.integers() | st.none() | st.lists(st.text(max_size=5)))
def test_non_text_is_unsupported(value):
    assert _parse(value) is None
