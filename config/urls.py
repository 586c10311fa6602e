"""The site's URLs: everything is assembled in niryat.site.urls."""

from django.urls import include, path

urlpatterns = [path("", include("niryat.site.urls"))]
