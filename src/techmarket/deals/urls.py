"""Negotiation and deals: offers on a listing, the deals they make and their 成交公告."""

from django.urls import path

from techmarket.deals import views

app_name = "deals"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("listings/<int:listing_id>/negotiate/", views.negotiate, name="negotiate"),
    path("negotiations/<int:pk>/", views.negotiation, name="negotiation"),
    path("negotiations/<int:pk>/offers/", views.offer_make, name="offer_make"),
    path("offers/<int:pk>/<str:action>/", views.offer_answer, name="offer_answer"),
    path("<int:pk>/", views.deal, name="deal"),
    path("<int:pk>/certificate.pdf", views.certificate_download, name="certificate"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
]
