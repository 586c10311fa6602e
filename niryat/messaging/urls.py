from django.urls import path

from niryat.messaging import views, webhooks

urlpatterns = [
    path("messages/templates/", views.template_list, name="message_templates"),
    path("messages/templates/<slug:key>/", views.template_edit, name="message_template_edit"),
    path(
        "producers/<uuid:producer_uuid>/messages/",
        views.producer_messages,
        name="producer_messages",
    ),
    path("hooks/whatsapp/", webhooks.whatsapp, name="whatsapp_webhook"),
    path("hooks/msg91/inbound/<str:token>/", webhooks.msg91_inbound, name="msg91_inbound"),
    path("hooks/msg91/<str:token>/", webhooks.msg91_report, name="msg91_report"),
]
