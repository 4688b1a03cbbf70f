from rest_framework.test import APIClient

from settings_app.services import api_key_create


def key_client(user, scopes=None) -> APIClient:
    """An API client that authenticates with a new API key of `user`."""
    _, raw_key = api_key_create(user=user, name="test", scopes=scopes)
    return with_key(raw_key)


def with_key(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client
