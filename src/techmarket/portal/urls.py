"""The site's own pages. They are mounted in the ``core`` URL namespace together with core's health check
(see techmarket.urls), so ``core:home``, linked from every page, keeps its name."""

from django.urls import path

from techmarket.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.my_work, name="todo"),
    path("todo/badge", views.my_work_badge, name="todo_badge"),
]
