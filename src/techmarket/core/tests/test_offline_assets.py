"""Nothing the pages load may come from another host: intranet deployments have no internet."""

import re

import pytest
from django.contrib.staticfiles import finders

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/achievements/", "/accounts/login/", "/accounts/register/", "/api/v1/docs/"]
)
def test_pages_reference_only_local_assets(client, url):
    html = client.get(url).content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


@pytest.mark.django_db
def test_api_docs_use_the_bundled_swagger_ui(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_bootstrap_and_htmx_are_served_from_packages():
    assert finders.find("bootstrap/css/bootstrap.min.css")
    assert finders.find("django_htmx/htmx-2.min.js") or finders.find("django_htmx/htmx.min.js")
