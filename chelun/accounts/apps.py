from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chelun.accounts"
    label = "accounts"
    verbose_name = "账号"
