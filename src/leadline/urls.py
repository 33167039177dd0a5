from django.contrib.auth import views as auth_views
from django.urls import path

from leadline.accounts.admin import admin_site
from leadline.api.main import urls as api_urls
from leadline.channels import sms_views, voice_views
from leadline.console import (
    insights_views,
    interactions_views,
    live_views,
    records_views,
    simulator_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    # ---- the public JSON API (api/main.py; docs/api.md) ----
    path("api/v1/", api_urls()),
    # ---- Twilio's SMS webhooks (channels/sms_views.py) ----
    path("webhooks/twilio/sms", sms_views.inbound_sms, name="twilio-sms"),
    path("webhooks/twilio/sms/status", sms_views.sms_status, name="twilio-sms-status"),
    # ---- Twilio's voice webhooks (channels/voice_views.py) ----
    path("webhooks/twilio/voice", voice_views.voice_call, name="twilio-voice"),
    path("webhooks/twilio/voice/status", voice_views.voice_status, name="twilio-voice-status"),
    path(
        "webhooks/twilio/voice/recording",
        voice_views.voice_recording,
        name="twilio-voice-recording",
    ),
    path("growth/interactions/", interactions_views.interaction_list_page, name="interactions"),
    path(
        "growth/interactions/export.csv",
        interactions_views.interaction_export,
        name="interactions-export",
    ),
    path("growth/interactions/live/", live_views.interaction_live, name="interactions-live"),
    path(
        "growth/interactions/insights/",
        insights_views.interaction_insights_page,
        name="interactions-insights",
    ),
    path(
        "growth/interactions/<int:interaction_id>/row/",
        interactions_views.interaction_row,
        name="interaction-row",
    ),
    path(
        "growth/interactions/<int:interaction_id>/",
        interactions_views.interaction_page,
        name="interaction",
    ),
    path(
        "growth/interactions/<int:interaction_id>/drawer/",
        interactions_views.interaction_drawer,
        name="interaction-drawer",
    ),
    path(
        "growth/interactions/<int:interaction_id>/calls/<int:call_id>/recording",
        interactions_views.call_recording,
        name="call-recording",
    ),
    # ---- the records behind the Interactions links (console/records_views.py) ----
    path("customers/<int:customer_id>/", records_views.customer_page, name="customer"),
    path(
        "opportunities/<int:opportunity_id>/",
        records_views.opportunity_page,
        name="opportunity",
    ),
    path("leads/<int:lead_id>/", records_views.lead_page, name="lead"),
    path("leads/<int:lead_id>/live/<str:part>/", records_views.lead_part, name="lead-part"),
    path("leads/<int:lead_id>/takeover/", records_views.lead_takeover, name="lead-takeover"),
    path("leads/<int:lead_id>/messages/", records_views.lead_message, name="lead-message"),
    path("leads/<int:lead_id>/notes/", records_views.lead_note, name="lead-note"),
    path("leads/<int:lead_id>/tasks/", records_views.lead_task, name="lead-task"),
    path(
        "leads/<int:lead_id>/tasks/<int:task_id>/done/",
        records_views.lead_task_done,
        name="lead-task-done",
    ),
    path("leads/<int:lead_id>/book/", records_views.lead_book, name="lead-book"),
    path("leads/<int:lead_id>/dismiss/", records_views.lead_dismiss, name="lead-dismiss"),
    # ---- the simulator phone (console/simulator_views.py) ----
    path("simulator/", simulator_views.phone_page, name="simulator"),
    path("simulator/list/", simulator_views.phone_list, name="simulator-list"),
    path("simulator/new/", simulator_views.phone_new_text, name="simulator-new"),
    path(
        "simulator/<int:interaction_id>/",
        simulator_views.phone_page,
        name="simulator-conversation",
    ),
    path(
        "simulator/<int:interaction_id>/live/<str:part>/",
        simulator_views.phone_part,
        name="simulator-part",
    ),
    path("simulator/<int:interaction_id>/text/", simulator_views.phone_text, name="simulator-text"),
    path("simulator/<int:interaction_id>/call/", simulator_views.phone_call, name="simulator-call"),
    path(
        "simulator/<int:interaction_id>/call/say/", simulator_views.phone_say, name="simulator-say"
    ),
    path(
        "simulator/<int:interaction_id>/call/hang-up/",
        simulator_views.phone_hang_up,
        name="simulator-hang-up",
    ),
    path(
        "simulator/<int:interaction_id>/messages/<int:message_id>/undelivered/",
        simulator_views.phone_mark_undelivered,
        name="simulator-undelivered",
    ),
]

handler403 = "leadline.console.errors.forbidden"
handler404 = "leadline.console.errors.not_found"
handler500 = "leadline.console.errors.server_error"
