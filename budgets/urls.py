"""Budgets pages (the list itself is dashboard:budgets, pointing at budgets.views.BudgetListPage, so the
navigation keeps its name)."""

from django.urls import path

from . import views

app_name = "budgets"

W = "w/<int:workspace_id>/budgets/"
ONE = W + "<int:budget_id>/"

urlpatterns = [
    path(W + "exchange-rates/", views.ExchangeRatesPage.as_view(), name="rates"),
    path(ONE, views.BudgetDetailPage.as_view(), name="detail"),
    path(ONE + "export/", views.BudgetExportPage.as_view(), name="export"),
    path(ONE + "edit/", views.BudgetEditPage.as_view(), name="edit"),
    path(ONE + "delete/", views.BudgetDeleteView.as_view(), name="delete"),
    path(ONE + "spend/new/", views.SpendNewPage.as_view(), name="spend_new"),
    path(ONE + "spend/<int:spend_id>/", views.SpendEditPage.as_view(), name="spend_edit"),
    path(ONE + "spend/<int:spend_id>/decide/", views.SpendDecideView.as_view(), name="spend_decide"),
]
