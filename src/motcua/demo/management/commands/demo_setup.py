from django.core.management.base import BaseCommand

from motcua.demo.data import DEMO_PASSWORD
from motcua.demo.services import demo_setup


class Command(BaseCommand):
    help = "Load the territory and the demo province (Đồng Tháp) once, then print the logins."

    def handle(self, *args, **options) -> None:
        logins = demo_setup()
        self.stdout.write("")
        self.stdout.write(f"Tài khoản demo / demo logins — mật khẩu / password: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            roles = f"{login.roles:<38}"
            self.stdout.write(
                f"  {login.username:<{width}}  {roles}  {login.full_name} — {login.agency}"
            )
        self.stdout.write("")
