from django.urls import path

from .views import review_page

urlpatterns = [path("<str:token>/", review_page, name="workflow-review")]
