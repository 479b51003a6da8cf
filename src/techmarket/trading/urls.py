from techmarket.trading.views import auctions, disclosure, listings

app_name = "trading"

urlpatterns = [*listings.urlpatterns, *auctions.urlpatterns, *disclosure.urlpatterns]
