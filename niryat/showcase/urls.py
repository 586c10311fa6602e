from django.urls import path

from niryat.showcase import exhibition_views, views

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
    # Online exhibitions: public pages, then the staff's.
    path(
        "showcase/exhibitions/<uuid:exhibition_uuid>/",
        exhibition_views.exhibition,
        name="showcase_exhibition",
    ),
    path(
        "showcase/exhibitions/<uuid:exhibition_uuid>/exhibitors/<uuid:exhibitor_uuid>/",
        exhibition_views.exhibitor,
        name="showcase_exhibitor",
    ),
    path("showcase/exhibitions/", exhibition_views.exhibition_list, name="exhibition_list"),
    path(
        "showcase/exhibitions/events/<uuid:event_uuid>/",
        exhibition_views.exhibition_set_up,
        name="exhibition_set_up",
    ),
    path(
        "showcase/exhibitions/<uuid:exhibition_uuid>/manage/",
        exhibition_views.exhibition_manage,
        name="exhibition_manage",
    ),
    path(
        "showcase/exhibitions/<uuid:exhibition_uuid>/halls/",
        exhibition_views.hall_add,
        name="exhibition_hall_add",
    ),
    path(
        "showcase/exhibitions/<uuid:exhibition_uuid>/exhibitors/",
        exhibition_views.exhibitor_add,
        name="exhibition_exhibitor_add",
    ),
    path(
        "showcase/halls/<int:hall_id>/remove/",
        exhibition_views.hall_remove,
        name="exhibition_hall_remove",
    ),
    path(
        "showcase/exhibitors/<uuid:exhibitor_uuid>/",
        exhibition_views.exhibitor_edit,
        name="exhibition_exhibitor_edit",
    ),
    path(
        "showcase/exhibitors/<uuid:exhibitor_uuid>/remove/",
        exhibition_views.exhibitor_remove,
        name="exhibition_exhibitor_remove",
    ),
]
