"""The pure core: routine model and loader, timeline, session state machine and speech.

Nothing in this package imports ask_sdk, flask or boto3; adapters import the core.
"""
