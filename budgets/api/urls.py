from django.urls import path

from . import views

B = "workspaces/<int:workspace_id>/budgets/"
ONE = B + "<int:budget_id>/"

urlpatterns = [
    path(B, views.BudgetListView.as_view(), name="budget-list"),
    path(B + "spend-waiting/", views.SpendWaitingView.as_view(), name="spend-waiting"),
    path(B + "exchange-rates/", views.ExchangeRateListView.as_view(), name="exchange-rate-list"),
    path(B + "exchange-rates/import/", views.ExchangeRateImportView.as_view(), name="exchange-rate-import"),
    path(
        B + "exchange-rates/<int:rate_id>/",
        views.ExchangeRateDetailView.as_view(),
        name="exchange-rate-detail",
    ),
    path(ONE, views.BudgetDetailView.as_view(), name="budget-detail"),
    path(ONE + "export/", views.BudgetExportView.as_view(), name="budget-export"),
    path(ONE + "burn-down/", views.BurnDownView.as_view(), name="budget-burn-down"),
    path(ONE + "lines/", views.BudgetLineListView.as_view(), name="budget-line-list"),
    path(ONE + "lines/<int:line_id>/", views.BudgetLineDetailView.as_view(), name="budget-line-detail"),
    path(ONE + "spend/", views.SpendListView.as_view(), name="spend-list"),
    path(ONE + "spend/<int:spend_id>/", views.SpendDetailView.as_view(), name="spend-detail"),
    path(ONE + "spend/<int:spend_id>/decision/", views.SpendDecisionView.as_view(), name="spend-decision"),
    path(ONE + "spend/<int:spend_id>/receipt/", views.SpendReceiptView.as_view(), name="spend-receipt"),
]
