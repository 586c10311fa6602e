from django.urls import path

from niryat.showcase import views

urlpatterns = [
    path("showcase/", views.home, name="showcase_home"),
    path("showcase/search/", views.search, name="showcase_search"),
    path("showcase/districts/<int:lgd_code>/", views.district, name="showcase_district"),
    path("showcase/products/<uuid:product_uuid>/", views.product, name="showcase_product"),
    path("showcase/products/<uuid:product_uuid>/qr.svg", views.qr_code, name="showcase_qr"),
    path("showcase/products/<uuid:product_uuid>/enquire/", views.enquire, name="showcase_enquire"),
    path("showcase/enquiry-sent/", views.enquiry_sent, name="showcase_enquiry_sent"),
    path("showcase/photos/<uuid:image_uuid>/<int:width>.jpg", views.photo, name="showcase_photo"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("showcase/enquiries/", views.enquiry_list, name="showcase_enquiry_list"),
    path(
        "showcase/enquiries/<uuid:enquiry_uuid>/",
        views.enquiry_detail,
        name="showcase_enquiry_detail",
    ),
    path("showcase/producers/<uuid:producer_uuid>/", views.profile_edit, name="showcase_profile"),
    path("showcase/mous/", views.mou_list, name="showcase_mou_list"),
    path("showcase/mous/new/", views.mou_create, name="showcase_mou_create"),
    path("showcase/mous/<uuid:mou_uuid>/", views.mou_detail, name="showcase_mou_detail"),
    path(
        "showcase/commitments/<int:commitment_id>/progress/",
        views.commitment_progress,
        name="showcase_commitment_progress",
    ),
]
