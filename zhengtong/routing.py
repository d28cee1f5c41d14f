from zhengtong.platform import registry

# Every installed app's WebSocket routes, as its manifest declares them.
websocket_urlpatterns = registry.current().websocket_patterns()
