from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site above every domain app: the home page and the demo, which by nature know all domains.

    Nothing below imports it; it may import any app's public modules (services, selectors, policies,
    choices, demo).
    """

    name = "techmarket.portal"
    label = "portal"
