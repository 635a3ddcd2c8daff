"""Production: refuses to start without a real secret key; secure cookies and HSTS."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, TONGBAN_PUBLIC_URL, env_bool

if (
    not SECRET_KEY
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY 未设置或过短：生产环境必须通过环境变量提供至少 50 个字符的随机密钥。"
    )

# Periodic jobs and task workers send links with no request to learn the address from (docs/documents.md).
if not TONGBAN_PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "TONGBAN_PUBLIC_URL 未设置或无效：生产环境必须设置平台对外访问的网址（如 https://zwfw.example.gov.cn），"
        "二维码、短信和邮件中的链接都以它为准。"
    )

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
