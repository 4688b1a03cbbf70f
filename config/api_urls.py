from django.urls import include, path

urlpatterns = [
    path("", include("settings_app.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("creators.api.urls")),
]
