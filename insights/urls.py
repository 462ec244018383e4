from django.urls import path

from . import views

urlpatterns = [
    path("insights", views.InsightsView.as_view(), name="insights"),
    path("reports/cycles.pdf", views.CycleReportView.as_view(), name="cycle-report"),
]
