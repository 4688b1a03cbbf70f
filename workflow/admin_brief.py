"""Brief to tasks in the admin: a campaign's brief sent to the AI for proposed deliverables and
task titles, shown for staff to keep, edit or drop; only the confirmation creates anything
(workflow/services/assist.py). A disabled or failing AI says why; the page keeps working."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.admin.pages import AdminPage, posted_ids
from core.errors import DomainError
from publishing.services.captions import ai_status
from settings_app.access import campaigns_visible_to, is_creator_login

from .models import Campaign
from .services.assist import (
    campaign_brief_confirm,
    campaign_brief_creators,
    campaign_brief_proposal,
)


class CampaignBriefPage(AdminPage):
    route = "<int:campaign_id>/brief-to-tasks/"
    url_name = "workflow_campaign_brief"
    title = "Plan tasks from the brief"
    template = "admin/workflow/campaign/brief.html"
    permissions = ("workflow.view_campaign", "workflow.add_deliverable")

    def has_permission(self) -> bool:
        return super().has_permission() and not is_creator_login(self.request.user)

    def campaign(self, campaign_id: int) -> Campaign:
        found = campaigns_visible_to(
            self.request.user, Campaign.objects.filter(pk=campaign_id)
        ).first()
        if found is None:
            raise Http404("No such campaign.")
        return found

    def context(self, campaign: Campaign, **extra) -> dict:
        try:
            candidates = campaign_brief_creators(campaign, self.request.user)
        except DomainError:
            candidates = []
        return {
            "campaign": campaign,
            "ai_off": ai_status(),
            "candidates": candidates,
            "campaign_url": reverse("admin:workflow_campaign_change", args=[campaign.pk]),
            **extra,
        }

    def get(self, campaign_id: int) -> HttpResponse:
        return self.render(self.context(self.campaign(campaign_id)))

    def post(self, campaign_id: int) -> HttpResponse:
        campaign = self.campaign(campaign_id)
        post = self.request.POST
        try:
            if post.get("what") == "confirm":
                return self._confirm(campaign)
            proposal = campaign_brief_proposal(
                campaign=campaign,
                user=self.request.user,
                creator_ids=posted_ids(post.getlist("creators")) or None,
            )
        except DomainError as error:
            return self.render(self.context(campaign, error=error.message))
        for item in proposal["deliverables"]:
            item["titles_text"] = "\n".join(item["task_titles"])
        return self.render(self.context(campaign, proposal=proposal))

    def _confirm(self, campaign: Campaign) -> HttpResponse:
        post = self.request.POST
        kept = []
        for index in posted_ids(post.getlist("keep")):
            titles = post.get(f"titles-{index}", "").splitlines()
            kept.append(
                {
                    "creator": int(post.get(f"creator-{index}") or 0),
                    "platform": post.get(f"platform-{index}", ""),
                    "kind": post.get(f"kind-{index}", ""),
                    "task_titles": [t for t in titles if t.strip()],
                }
            )
        tasks = campaign_brief_confirm(campaign=campaign, user=self.request.user, deliverables=kept)
        messages.success(self.request, f"{len(tasks)} task(s) created in the Backlog.")
        return HttpResponseRedirect(reverse("admin:workflow_campaign_change", args=[campaign.pk]))
