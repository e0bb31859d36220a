"""The API token pages: issue (the secret shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.api import actions
from muster.api.forms import TokenForm


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Issue a token; the page after shows its secret once."""
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        token, secret = actions.issue_token(
            actor=request.user,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            access=form.cleaned_data["access"],
            agency=form.cleaned_data.get("agency"),
            expires_at=form.expires_at(),
            request=request,
        )
        # Rendered, not redirected: the secret must never sit in a session or URL.
        return render(
            request, "api/token_issued.html", {"token": token, "secret": secret}
        )
    listed = access.manageable_tokens(request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": listed})


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(access.manageable_tokens(request.user), pk=pk)
    actions.revoke_token(actor=request.user, token=token, request=request)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("api-tokens:list")
