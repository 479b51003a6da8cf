"""Pages of the contracts app: 我的技术合同, the registration form, the registry's queue, certificates,
receipts (实际到账), amendments and the 技术性收入核定."""

from django.urls import URLPattern, URLResolver, path

from techmarket.contracts.views import receipts
from techmarket.contracts.views import registration as views

app_name = "contracts"

# Receipts first: their fixed path segments must win over the transition route's ``<str:name>``.
urlpatterns: list[URLPattern | URLResolver] = [
    *receipts.urlpatterns,
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("from-deal/<int:deal_id>/", views.from_deal, name="from_deal"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/signed.pdf", views.signed_pdf_download, name="signed_pdf"),
    path("<int:pk>/<str:name>/", views.transition, name="transition"),
    path("<int:pk>/certificate.pdf", views.certificate_download, name="certificate"),
]
