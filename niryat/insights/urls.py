from django.urls import path

from niryat.insights import views

urlpatterns = [
    path(
        "odop-products/<int:pk>/export-potential/",
        views.odop_export_potential,
        name="odop_export_potential",
    ),
]
