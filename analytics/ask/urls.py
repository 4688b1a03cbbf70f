from django.urls import path

from .api import AskView

urlpatterns = [path("ai/ask/", AskView.as_view(), name="ai-ask")]
