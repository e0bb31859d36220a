"""The NinjaAPI instance: token auth, problem+json for every error, the routers.

Every endpoint gets its rows through muster.accounts.access with the request's
TokenHolder, and writes through muster.agencies.actions, as the screens do.
"""

from __future__ import annotations

import functools

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    HttpError,
    ValidationError,
)

from muster.api.auth import TokenAuth
from muster.api.problems import MEDIA_TYPE, ApiError, field_error, problem_response


class MusterAPI(NinjaAPI):
    """NinjaAPI whose schema says that error answers are problem+json."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        for item in schema["paths"].values():
            for operation in item.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {MEDIA_TYPE: content["application/json"]}
        return schema


api = MusterAPI(
    title="Muster API",
    version="1",
    description=(
        "Training-compliance records of law-enforcement agencies. Authenticate "
        "with `Authorization: Bearer <token>`; errors are RFC 9457 problem "
        "details. See docs/api.md."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError):
    return problem_response(
        request,
        error.status,
        error.detail,
        kind=error.kind,
        errors=error.errors,
        headers=error.headers,
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError):
    errors = [
        field_error(e.get("loc", ()), e.get("msg", "Invalid.")) for e in error.errors
    ]
    fields = ", ".join(e["field"] for e in errors) or "the request"
    return problem_response(
        request, 422, f"Check {fields}.", kind="validation", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError):
    return problem_response(
        request,
        401,
        "Send a usable token as 'Authorization: Bearer <token>' (issue one on "
        "your security page; revoked and expired tokens no longer work).",
        kind="unauthenticated",
        headers={"WWW-Authenticate": 'Bearer realm="muster"'},
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404):
    # The same answer for "does not exist" and "not yours": another agency's
    # rows stay invisible.
    return problem_response(request, 404, str(error) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError):
    return problem_response(request, error.status_code, str(error))


def _register() -> None:
    from muster.api.endpoints import (  # noqa: F401 (registers)
        exemptions,
        qualifications,
        reading,
        records,
    )

    # Before mounting: django-ninja mounts copies, which keep the view function.
    for path_view in reading.router.path_operations.values():
        for operation in path_view.operations:
            _refuse_unknown_query(operation)
    api.add_router("", reading.router)


def _refuse_unknown_query(operation) -> None:
    """Answer 422 naming a query parameter the operation does not take (a typo
    such as ?persn= would otherwise be ignored and the whole list returned)."""
    allowed = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", "") != "query":
            continue
        for name, field in model.model_fields.items():
            inner = getattr(field.annotation, "model_fields", None)
            allowed |= set(inner) if inner is not None else {field.alias or name}
    view = operation.view_func

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            raise ApiError(
                422,
                f"Unknown query parameter: {', '.join(unknown)[:200]}.",
                kind="validation",
                errors=[
                    field_error(
                        ("query", name[:100]), "Not a parameter of this operation."
                    )
                    for name in unknown[:20]
                ],
            )
        return view(request, *args, **kwargs)

    operation.view_func = checked


_register()
