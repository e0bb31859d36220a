from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "muster.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from muster.accounts import receivers

        receivers.connect()
