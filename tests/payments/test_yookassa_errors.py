"""How a YooKassa error answer is read (issue #11: no use of the SDK's private error handler):
from the HTTP API's documented error body, so an SDK upgrade cannot change it."""

import json

import pytest
import requests

from payments.providers import ProviderError, ProviderUnavailable
from payments.providers import yookassa as provider


def answer(status: int, body) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response


def test_a_refusal_names_the_code_description_and_parameter():
    error = provider.api_error(
        answer(
            400,
            {
                "type": "error",
                "id": "x",
                "code": "invalid_request",
                "description": "Receipt is invalid",
                "parameter": "receipt",
            },
        )
    )
    assert type(error) is ProviderError
    assert (
        str(error) == "ЮKassa отклонила запрос (400): invalid_request, Receipt is invalid, receipt"
    )


@pytest.mark.parametrize("status", [401, 403, 404, 405, 415])
def test_other_client_errors_are_refusals(status):
    error = provider.api_error(answer(status, {"type": "error", "code": "forbidden"}))
    assert type(error) is ProviderError and "forbidden" in str(error)


@pytest.mark.parametrize("status", [202, 429, 500, 503])
def test_retryable_answers_keep_the_payment_resumable(status):
    assert type(provider.api_error(answer(status, {"type": "error"}))) is ProviderUnavailable


def test_a_body_that_is_not_json_is_still_a_clear_refusal():
    error = provider.api_error(answer(400, b"<html>Bad Request</html>"))
    assert type(error) is ProviderError and "(400)" in str(error)


def test_the_sdk_private_error_handler_is_not_used():
    source = provider.__loader__.get_source(provider.__name__)
    assert "_ApiClient__" not in source
