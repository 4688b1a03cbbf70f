"""Edits through the API go through the app's edit service, never a serializer's own save."""

from collections.abc import Callable

from django.db import models


class ServiceUpdateMixin:
    """For a ModelSerializer: PATCH calls `update_service` (a staticmethod, e.g. post_update) as
    `update_service(<model name>=instance, actor=<the request's user>, **fields)`, so the
    service's validation and audit trail apply."""

    update_service: Callable[..., models.Model]

    def update(self, instance: models.Model, validated_data: dict) -> models.Model:
        return self.update_service(
            **{instance._meta.model_name: instance},
            actor=self.context["request"].user,
            **validated_data,
        )
