from techmarket.trading.api import auctions, disclosure, listings

urlpatterns = [*listings.urlpatterns, *auctions.urlpatterns, *disclosure.urlpatterns]
