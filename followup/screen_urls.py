"""The follow-up screens (pages for people, not the API), included at the site root."""

urlpatterns: list = []
