"""Serializers shared by every app's API."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx: a machine code, a Chinese message, and optionally the field or row errors."""

    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)
