"""Publishing clients for Instagram (Graph), TikTok (Content Posting API) and YouTube (resumable
upload). They know no models: tokens and URLs in, dataclasses or the typed errors of `errors`
out. Each irreversible request is a commit call: never repeated by the HTTP client, and a lost
answer raises `OutcomeUnknown` so the caller reconciles instead of posting twice."""
