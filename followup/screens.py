"""followup's screens (pages for people), included at the site root."""

from django.urls import path

from followup import views

urlpatterns = [
    path("followups/", views.followup_queue, name="followup-queue"),
    path("followups/<int:pk>/call/", views.followup_call, name="followup-call"),
    path("followups/calls/<int:pk>/", views.followup_call_result, name="followup-call-result"),
    path("escalations/", views.escalation_list, name="escalation-list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation-detail"),
    path("escalations/<int:pk>/note/", views.escalation_note, name="escalation-note"),
    path("escalations/<int:pk>/reassign/", views.escalation_reassign, name="escalation-reassign"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation-resolve"),
    path("spot-checks/", views.spot_check_list, name="spot-check-list"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot-check-detail"),
    path("spot-checks/<int:pk>/items/<int:item_pk>/", views.spot_check_record, name="spot-check-record"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<int:pk>/record/", views.visit_record, name="visit-record"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit-cancel"),
]
