"""Pages of the subsidies app: 奖补公示 (public), 奖补测算 (the bureau), 政策管理 (administrators)."""

from django.urls import path

from techmarket.subsidies.views import bureau, public

app_name = "subsidies"

urlpatterns = [
    path("", public.public_list, name="public_list"),
    path("public/<int:pk>/", public.public_run, name="public_run"),
    path("public/<int:pk>/export.xlsx", public.public_export, name="public_export"),
    path("public/<int:pk>/objections/", public.objection_file, name="objection_file"),
    path("awards/<int:pk>/", public.award_detail, name="award_detail"),
    path("runs/", bureau.runs, name="runs"),
    path("runs/compute/", bureau.run_compute, name="run_compute"),
    path("runs/<int:pk>/", bureau.run_detail, name="run_detail"),
    path("runs/<int:pk>/export.xlsx", bureau.run_export, name="run_export"),
    path("runs/<int:pk>/<str:action>/", bureau.run_action, name="run_action"),
    path("objections/<int:pk>/<str:action>/", bureau.objection_decide, name="objection_decide"),
    path("claims/", bureau.claims, name="claims"),
    path("claims/<int:pk>/withdraw/", bureau.claim_withdraw, name="claim_withdraw"),
    path("policies/", bureau.policy_list, name="policies"),
    path("policies/new/", bureau.policy_create, name="policy_create"),
    path("policies/<slug:policy_id>/", bureau.policy_edit, name="policy_edit"),
    path("policies/<slug:policy_id>/adopt/", bureau.policy_adopt, name="policy_adopt"),
    path("policies/<slug:policy_id>/versions/<int:pk>/", bureau.policy_version, name="policy_version"),
]
