"""The Alexa adapter: ask-sdk-core handlers and interceptors around the pure core."""
